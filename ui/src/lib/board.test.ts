import { describe, expect, it } from "vitest";
import type { BoardRow } from "./bindings";
import { closedRows, filterRows, levelsIn, reuseUnchanged } from "./board";

function row(partial: Partial<BoardRow>): BoardRow {
  return {
    id: partial.ref ?? "x",
    ref: "INC-1",
    title: "t",
    kind: "outage",
    level: "L1",
    level_rank: 1,
    status: "investigating",
    stages: [],
    commander: null,
    started_at: "2026-11-30T09:00:00.000Z",
    detected_at: "2026-11-30T09:00:00.000Z",
    declared_at: "2026-11-30T09:00:00.000Z",
    resolved_at: null,
    closed_at: null,
    last_activity_at: "2026-11-30T09:00:00.000Z",
    next_deadline: null,
    deadlines: [],
    next_update_due: null,
    overdue: 0,
    alerts: 0,
    alerts_firing: 0,
    conflicts: 0,
    missing_roles: [],
    checklist: { settled: 0, total: 0 },
    tasks_open: 0,
    messages_queued: 0,
    ...partial,
  };
}

describe("board view logic", () => {
  const rows = [
    row({ ref: "INC-1", kind: "outage", level: "L1", level_rank: 1 }),
    row({ ref: "INC-2", kind: "security", level: "L2", level_rank: 2 }),
    row({ ref: "INC-3", kind: "outage", level: "L2", level_rank: 2 }),
  ];

  it("filters by kind and level, keeping the core's order", () => {
    expect(filterRows(rows, { kind: "outage", level: "" }).map((r) => r.ref)).toEqual([
      "INC-1",
      "INC-3",
    ]);
    expect(filterRows(rows, { kind: "", level: "L2" }).map((r) => r.ref)).toEqual([
      "INC-2",
      "INC-3",
    ]);
    expect(filterRows(rows, { kind: "", level: "" })).toHaveLength(3);
  });

  it("lists closed incidents most recently closed first", () => {
    const closed = closedRows([
      row({ ref: "INC-4", closed_at: "2026-11-29T10:00:00.000Z" }),
      row({ ref: "INC-5" }),
      row({ ref: "INC-6", closed_at: "2026-11-30T10:00:00.000Z" }),
    ]);
    expect(closed.map((r) => r.ref)).toEqual(["INC-6", "INC-4"]);
  });

  it("offers the levels present, most severe first", () => {
    expect(levelsIn([rows[2]!, rows[0]!, rows[1]!])).toEqual(["L1", "L2"]);
  });
});

describe("reuseUnchanged", () => {
  it("keeps the previous object of rows that did not change", () => {
    const a = row({ id: "a", ref: "INC-1" });
    const b = row({ id: "b", ref: "INC-2" });
    const next = [
      row({ id: "a", ref: "INC-1" }),
      row({ id: "b", ref: "INC-2", status: "identified" }),
    ];
    const merged = reuseUnchanged([a, b], next);
    expect(merged[0]).toBe(a);
    expect(merged[1]).toBe(next[1]);
    expect(merged[1]?.status).toBe("identified");
    expect(reuseUnchanged(null, next)).toBe(next);
  });
});
