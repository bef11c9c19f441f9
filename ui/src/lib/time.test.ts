import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatDate,
  formatDateTime,
  formatAge,
  formatElapsed,
  formatTime,
  parseScribeLine,
  parseTimeToken,
  since,
  zoneLabel,
} from "./time";

describe("since", () => {
  it("counts up from a time and never shows a negative age", () => {
    const t = Date.parse("2026-11-30T09:00:00.000Z");
    expect(since("2026-11-30T09:00:00.000Z", t + 61_000)).toBe(61_000);
    expect(since("2026-11-30T09:00:00.000Z", t - 400)).toBe(0);
    expect(since("not a time", t)).toBe(0);
  });
});

describe("formatAge", () => {
  it("ticks in whole minutes, then hours", () => {
    expect(formatAge(59_999)).toBe("<1m");
    expect(formatAge(65_000)).toBe("1m");
    expect(formatAge(59 * 60_000 + 59_000)).toBe("59m");
    expect(formatAge((3 * 3600 + 7 * 60 + 9) * 1000)).toBe("3h 07m");
    expect(formatAge(-90_000)).toBe("-1m");
  });
});

describe("formatElapsed", () => {
  it("reads like idesk prints it", () => {
    expect(formatElapsed(0)).toBe("0s");
    expect(formatElapsed(59_999)).toBe("59s");
    expect(formatElapsed(65_000)).toBe("1m 05s");
    expect(formatElapsed((3 * 3600 + 7 * 60 + 9) * 1000)).toBe("3h 07m");
    expect(formatElapsed((2 * 86_400 + 4 * 3600) * 1000)).toBe("2d 04h");
    expect(formatElapsed(-90_000)).toBe("-1m 30s");
  });
});

describe("formatClock", () => {
  it("shows the time for today and adds the date otherwise", () => {
    const now = new Date(2026, 10, 30, 15, 0, 0);
    expect(formatClock(new Date(2026, 10, 30, 14, 32, 5).toISOString(), now)).toBe("14:32:05");
    expect(formatClock(new Date(2026, 10, 29, 23, 5, 0).toISOString(), now)).toBe(
      "2026-11-29 23:05:00",
    );
  });
});

describe("parseTimeToken", () => {
  const now = new Date(2026, 10, 30, 14, 40, 0);

  it("reads relative times", () => {
    expect(parseTimeToken("-5m", now)).toEqual({ ok: true, at: new Date(2026, 10, 30, 14, 35, 0) });
    expect(parseTimeToken("-90s", now)).toEqual({
      ok: true,
      at: new Date(2026, 10, 30, 14, 38, 30),
    });
    expect(parseTimeToken("-2h", now)).toEqual({ ok: true, at: new Date(2026, 10, 30, 12, 40, 0) });
  });

  it("reads a clock time as today, or yesterday when it would be in the future", () => {
    expect(parseTimeToken("14:32", now)).toEqual({
      ok: true,
      at: new Date(2026, 10, 30, 14, 32, 0),
    });
    expect(parseTimeToken("23:50", now)).toEqual({
      ok: true,
      at: new Date(2026, 10, 29, 23, 50, 0),
    });
  });

  it("reads full date-times and refuses nonsense with a hint", () => {
    expect(parseTimeToken("2026-11-30 09:15", now)).toEqual({
      ok: true,
      at: new Date(2026, 10, 30, 9, 15, 0),
    });
    const bad = parseTimeToken("soonish", now);
    expect(bad.ok).toBe(false);
    expect(parseTimeToken("25:00", now).ok).toBe(false);
  });
});

describe("parseScribeLine", () => {
  const now = new Date(2026, 10, 30, 14, 40, 0);

  it("takes a leading time as the moment it happened", () => {
    expect(parseScribeLine("14:32 rolled back deploy", now)).toEqual({
      at: new Date(2026, 10, 30, 14, 32, 0),
      text: "rolled back deploy",
    });
    expect(parseScribeLine("-5m paged the DB team", now)).toEqual({
      at: new Date(2026, 10, 30, 14, 35, 0),
      text: "paged the DB team",
    });
  });

  it("leaves other lines alone, stamped now", () => {
    expect(parseScribeLine("error rate back to normal", now)).toEqual({
      at: null,
      text: "error rate back to normal",
    });
    expect(parseScribeLine("14:32", now)).toEqual({ at: null, text: "14:32" });
    expect(parseScribeLine("99:99 odd", now)).toEqual({ at: null, text: "99:99 odd" });
  });
});

describe("dates and times, one format everywhere", () => {
  it("writes dates year first and times on a 24-hour clock", () => {
    const local = new Date(2026, 11, 4, 8, 59, 21); // 4 December, local time
    expect(formatDate(local.toISOString())).toBe("2026-12-04");
    expect(formatTime(local.toISOString())).toBe("08:59");
    expect(formatTime(local.toISOString(), true)).toBe("08:59:21");
    expect(formatDateTime(local.toISOString())).toBe(`2026-12-04 08:59 ${zoneLabel(local)}`);
    expect(formatDate("not a time")).toBe("not a time");
  });

  it("names the zone as an offset from UTC", () => {
    expect(zoneLabel()).toMatch(/^UTC([+-]\d{2}:\d{2})?$/);
  });
});
