import { describe, expect, it } from "vitest";
import { matchActions, shownLabel, type PaletteAction } from "./palette";

const noop = () => {};
const room: PaletteAction[] = [
  { id: "board", label: "Go to the command board", scope: "elsewhere", run: noop },
  { id: "closed", label: "Show closed incidents", scope: "elsewhere", run: noop },
  { id: "declare", label: "Declare an incident", scope: "elsewhere", run: noop },
  { id: "skip-diagnose", label: "Skip stage Diagnose…", run: noop },
  { id: "status-resolved", label: "Set public status: Resolved", run: noop },
  { id: "close", label: "Close the incident", run: noop },
  { id: "action", label: "Add an action item", run: noop },
  { id: "export-pdf", label: "Export the review as PDF…", keywords: "report", run: noop },
  {
    id: "open-INC-2",
    label: "Open INC-2",
    detail: "Follow-up action on the payments outage",
    scope: "elsewhere",
    run: noop,
  },
];
const ids = (query: string) => matchActions(room, query).map((a) => a.id);

describe("matchActions", () => {
  it("matches every word in any order and case", () => {
    expect(ids("diag skip")).toEqual(["skip-diagnose"]);
    expect(ids("RESOLVED")).toEqual(["status-resolved"]);
  });

  it("lists everything for an empty query, the view's actions first, and nothing for a miss", () => {
    expect(matchActions(room, "  ")).toHaveLength(room.length);
    expect(ids("")[0]).toBe("skip-diagnose");
    expect(ids("frobnicate")).toEqual([]);
  });

  it("ranks what the user most likely means first", () => {
    // In an incident, "close" closes it; showing closed incidents comes after.
    expect(ids("close")[0]).toBe("close");
    expect(ids("close")).toContain("closed");
    // "action" is the action item, not an incident whose title says action.
    expect(ids("action")[0]).toBe("action");
    expect(ids("action")).toContain("open-INC-2");
    // Keywords find what the label does not say.
    expect(ids("report")).toEqual(["export-pdf"]);
    expect(ids("pdf")[0]).toBe("export-pdf");
  });

  it("shows the detail after the label", () => {
    expect(shownLabel(room[8] as PaletteAction)).toBe(
      "Open INC-2: Follow-up action on the payments outage",
    );
  });
});
