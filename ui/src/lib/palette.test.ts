import { describe, expect, it } from "vitest";
import { matchActions, type PaletteAction } from "./palette";

const noop = () => {};
const actions: PaletteAction[] = [
  { id: "declare", label: "Declare an incident", run: noop },
  { id: "skip-diagnose", label: "Skip stage Diagnose…", run: noop },
  { id: "status-resolved", label: "Set public status: Resolved", run: noop },
];

describe("matchActions", () => {
  it("matches every word in any order and case", () => {
    expect(matchActions(actions, "diag skip").map((a) => a.id)).toEqual(["skip-diagnose"]);
    expect(matchActions(actions, "RESOLVED").map((a) => a.id)).toEqual(["status-resolved"]);
  });

  it("lists everything for an empty query and nothing for a miss", () => {
    expect(matchActions(actions, "  ")).toHaveLength(3);
    expect(matchActions(actions, "frobnicate")).toEqual([]);
  });
});
