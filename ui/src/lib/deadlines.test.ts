import { describe, expect, it } from "vitest";
import type { Deadline } from "./bindings";
import { countdown, formatCountdown, formatMinuteCountdown, snoozable } from "./deadlines";

/** What repaints is the text: how often `format` changes while an hour
 *  counts down, second by second, to `until` left. */
function changesWhileCounting(format: (ms: number) => string, until: number): number {
  let changes = 0;
  let last = "";
  for (let left = 3_600_000; left >= until; left -= 1000) {
    const text = format(left);
    if (text !== last) changes += 1;
    last = text;
  }
  return changes;
}

describe("formatCountdown", () => {
  it("shows seconds only in the last two minutes", () => {
    expect(formatCountdown(105_000)).toBe("1m 45s");
    expect(formatCountdown(9 * 60_000 + 5_000)).toBe("10m");
    expect(formatCountdown(14 * 60_000 + 1)).toBe("15m");
    expect(formatCountdown(3 * 3_600_000)).toBe("3h 00m");
  });

  it("changes at most once a minute outside the last two minutes", () => {
    expect(changesWhileCounting(formatCountdown, 2 * 60_000)).toBeLessThanOrEqual(60);
  });
});

describe("formatMinuteCountdown (the board)", () => {
  it("reads in whole minutes, rounded up, and <1m in the last one", () => {
    expect(formatMinuteCountdown(185_000)).toBe("4m");
    expect(formatMinuteCountdown(65_000)).toBe("2m");
    expect(formatMinuteCountdown(60_000)).toBe("<1m");
    expect(formatMinuteCountdown(5_000)).toBe("<1m");
    expect(formatMinuteCountdown(3 * 3_600_000)).toBe("3h 00m");
  });

  it("changes once a minute, also in the last minutes", () => {
    expect(changesWhileCounting(formatMinuteCountdown, 1_000)).toBeLessThanOrEqual(61);
  });
});

const base: Deadline = {
  key: "first_update",
  label: "first user update",
  counted_from: "2026-11-30T09:00:00.000Z",
  due_at: "2026-11-30T09:15:00.000Z",
  state: "pending",
  met_at: null,
  snoozed_until: null,
};
const due = Date.parse(base.due_at);

describe("countdown", () => {
  it("on the board, never in seconds: before, at and after the deadline", () => {
    expect(countdown(base, due - 65_000, "minutes")).toEqual({ text: "in 2m", tone: "ok" });
    expect(countdown(base, due - 30_000, "minutes")).toEqual({ text: "in <1m", tone: "ok" });
    expect(countdown(base, due + 30_000, "minutes")).toEqual({
      text: "<1m overdue",
      tone: "overdue",
    });
    expect(countdown(base, due + 250_000, "minutes").text).toBe("4m overdue");
  });

  it("counts down to the deadline", () => {
    expect(countdown(base, due - 185_000)).toEqual({ text: "in 4m", tone: "ok" });
    expect(countdown(base, due - 65_000)).toEqual({ text: "in 1m 05s", tone: "ok" });
    expect(countdown({ ...base, state: "due" }, due - 30_000)).toEqual({
      text: "in 30s",
      tone: "soon",
    });
  });

  it("shows overdue as soon as the clock passes the deadline", () => {
    expect(countdown(base, due + 250_000)).toEqual({ text: "4m overdue", tone: "overdue" });
    expect(countdown({ ...base, state: "overdue" }, due + 1_000)).toEqual({
      text: "1s overdue",
      tone: "overdue",
    });
  });

  it("names stalled, snoozed and met deadlines", () => {
    expect(countdown({ ...base, state: "stalled" }, due + 60_000).tone).toBe("stalled");
    const snoozed = {
      ...base,
      state: "snoozed" as const,
      snoozed_until: "2026-11-30T09:30:00.000Z",
    };
    expect(countdown(snoozed, due + 60_000)).toEqual({ text: "snoozed 14m", tone: "snoozed" });
    expect(countdown({ ...base, state: "met" }, due).tone).toBe("met");
  });
});

describe("snoozable", () => {
  it("is true once a deadline is due, false when met or far away", () => {
    expect(snoozable(base, due - 600_000)).toBe(false);
    expect(snoozable({ ...base, state: "due" }, due - 60_000)).toBe(true);
    expect(snoozable(base, due + 1)).toBe(true);
    expect(snoozable({ ...base, state: "met" }, due + 1)).toBe(false);
  });
});
