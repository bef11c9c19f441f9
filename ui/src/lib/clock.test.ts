import { describe, expect, it } from "vitest";
import { PageClock, nextChange } from "./clock.svelte";
import { rowClockText } from "./board";
import { formatAge } from "./time";
import { formatCountdown } from "./deadlines";
import type { BoardRow } from "./bindings";

/** Timers driven by the test: `advance` runs what falls due, in order. */
function fakeTimers(start: number) {
  let now = start;
  let nextId = 1;
  const pending = new Map<number, { at: number; run: () => void }>();
  const woken: number[] = [];
  return {
    timers: {
      set: (run: () => void, ms: number) => {
        const id = nextId++;
        pending.set(id, { at: now + ms, run });
        return id;
      },
      clear: (id: unknown) => void pending.delete(id as number),
      now: () => now,
    },
    pending: () => pending.size,
    woken,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!due || due[1].at > end) break;
        pending.delete(due[0]);
        now = due[1].at;
        woken.push(now);
        due[1].run();
      }
      now = end;
    },
  };
}

describe("nextChange", () => {
  it("finds the millisecond a minute-format text changes", () => {
    const start = 1_000_000;
    const show = (at: number) => formatAge(at - start);
    expect(nextChange(show, start + 10_000)).toBe(start + 60_000);
    expect(nextChange(show, start + 60_000)).toBe(start + 120_000);
  });

  it("finds a countdown's step into seconds and then each second", () => {
    const due = 10_000_000;
    const show = (at: number) => formatCountdown(due - at);
    // 10 minutes left: the text changes as the minute rounds down.
    const first = nextChange(show, due - 600_000);
    expect(show(first)).not.toBe(show(due - 600_000));
    expect(first - (due - 600_000)).toBeGreaterThan(0);
    expect(first - (due - 600_000)).toBeLessThanOrEqual(60_000);
    // In the last two minutes, every second.
    expect(nextChange(show, due - 30_500)).toBe(due - 30_000 + 1);
  });

  it("answers the horizon when nothing changes before it", () => {
    expect(nextChange(() => "same", 5, 1000)).toBe(1005);
  });
});

describe("PageClock", () => {
  it("wakes once, at the earliest change asked for, and not on a timer of its own", () => {
    const fake = fakeTimers(0);
    const clock = new PageClock(fake.timers);
    const a = {};
    const b = {};
    clock.follow(a, (at) => formatAge(at)); // changes at 60 s
    clock.follow(b, (at) => formatAge(at + 30_000)); // changes at 30 s
    expect(fake.pending()).toBe(1);
    fake.advance(29_000);
    expect(fake.woken).toEqual([]);
    fake.advance(1_000);
    expect(fake.woken).toEqual([30_000]);
    expect(clock.now).toBe(30_000);
    // Nothing re-registered (nothing shown re-ran): no more wakes at all.
    fake.advance(600_000);
    expect(fake.woken).toEqual([30_000]);
    expect(fake.pending()).toBe(0);
  });

  it("stops waking for what is forgotten (off screen, gone)", () => {
    const fake = fakeTimers(0);
    const clock = new PageClock(fake.timers);
    const row = {};
    clock.follow(row, (at) => formatAge(at));
    clock.forget(row);
    expect(clock.following).toBe(0);
    fake.advance(3_600_000);
    expect(fake.woken).toEqual([]);
  });

  it("gathers a board's minute clocks into a frame every half minute, at most 30 s late", () => {
    const fake = fakeTimers(0);
    const clock = new PageClock(fake.timers);
    // Twenty rows whose ages turn at twenty different seconds of the minute;
    // each re-registers at every wake, as its effect does.
    const rows = Array.from({ length: 20 }, (_, i) => ({ started: -i * 3_000, shown: "" }));
    const follow = () => {
      for (const row of rows) {
        const show = (at: number) => formatAge(at - row.started);
        clock.follow(row, show);
        row.shown = show(fake.timers.now());
      }
    };
    follow();
    let worstLag = 0;
    for (let second = 1; second <= 600; second++) {
      const before = fake.woken.length;
      fake.advance(1_000);
      if (fake.woken.length > before) follow();
      for (const row of rows) {
        const truth = (at: number) => formatAge(at - row.started);
        if (row.shown !== truth(second * 1_000)) {
          // Stale: by how long since the text turned?
          let turned = second * 1_000;
          while (truth(turned - 1) !== row.shown) turned -= 1;
          worstLag = Math.max(worstLag, second * 1_000 - turned);
        }
      }
    }
    // Ten minutes: two frames a minute however many rows (not 200, not 600).
    expect(fake.woken.length).toBeLessThanOrEqual(21);
    expect(worstLag).toBeLessThanOrEqual(30_000);
  });

  it("changes seconds texts on the wall clock's second, one frame for all", () => {
    const fake = fakeTimers(0);
    const clock = new PageClock(fake.timers);
    const due = [30_250, 40_700, 50_100];
    const owners = due.map(() => ({}));
    const follow = () =>
      due.forEach((at, i) => clock.follow(owners[i] ?? {}, (t) => formatCountdown(at - t)));
    follow();
    for (let i = 0; i < 20; i++) {
      const before = fake.woken.length;
      fake.advance(1_000);
      if (fake.woken.length > before) follow();
    }
    expect(fake.woken.length).toBe(20);
    expect(fake.woken.every((at) => at % 1_000 === 0)).toBe(true);
  });
});

describe("rowClockText", () => {
  const row = {
    started_at: new Date(0).toISOString(),
    closed_at: null,
    resolved_at: null,
    overdue: 0,
    next_deadline: null,
    deadlines: [],
  } as unknown as BoardRow;

  it("changes with the age in minutes only", () => {
    expect(rowClockText(row, 61_000)).toBe(rowClockText(row, 119_000));
    expect(rowClockText(row, 119_000)).not.toBe(rowClockText(row, 120_000));
  });

  it("does not tick once resolved", () => {
    const resolved = { ...row, resolved_at: new Date(5_000).toISOString() };
    expect(rowClockText(resolved, 61_000)).toBe(rowClockText(resolved, 7_200_000));
  });
});
