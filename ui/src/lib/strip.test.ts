import { describe, expect, it } from "vitest";
import type { StageSpan } from "./bindings";
import { axisOf, place, position } from "./strip";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 9, minute)).toISOString();

describe("the resolution strip", () => {
  const spans: StageSpan[] = [
    { stage: "remediate", start: at(10), end: at(25), outcome: "done" },
    // Back-dated: diagnosis started before remediation, still running.
    { stage: "diagnose", start: at(5), end: null, outcome: "active" },
    { stage: "repair", start: at(30), end: at(30), outcome: "deferred" },
  ];
  const now = Date.parse(at(40));

  it("spans every span, open ones up to now", () => {
    const axis = axisOf(spans, [{ key: "started", label: "Impact started", at: at(0) }], now);
    expect(axis).toEqual({ start: Date.parse(at(0)), end: now });
    expect(position(axis, Date.parse(at(20)))).toBe(0.5);
  });

  it("places spans as fractions, with a sliver for a moment", () => {
    const axis = { start: Date.parse(at(0)), end: now };
    expect(place(axis, spans[0]!, now)).toEqual({ left: 0.25, width: 0.375 });
    expect(place(axis, spans[1]!, now)).toEqual({ left: 0.125, width: 0.875 });
    expect(place(axis, spans[2]!, now).width).toBe(0.004);
  });
});
