import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "./bindings";
import { describeReviewRun, filterEntries, foldRuns, plural } from "./timeline";

let n = 0;
function entry(partial: Partial<TimelineEntry>, minute = n): TimelineEntry {
  n += 1;
  const at = new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString();
  return {
    id: `entry-${n}`,
    hlc: `${String(minute).padStart(16, "0")}-000000-node`,
    seen: null,
    n,
    occurred_at: at,
    recorded_at: at,
    author: "Ada",
    kind: "note",
    text: `entry ${n}`,
    change: null,
    supersedes: null,
    supersedes_id: null,
    superseded_by: null,
    ...partial,
  };
}

const review = (field: "summary" | "impact", minute: number, author = "Ada") =>
  entry({ kind: "review", author, change: { type: "review_updated", field, text: "x" } }, minute);

describe("the timeline view", () => {
  it("separates people's notes from the changes the app records", () => {
    const entries = [
      entry({ kind: "note" }),
      entry({ kind: "stage" }),
      entry({ kind: "correction" }),
    ];
    expect(filterEntries(entries, "notes").map((e) => e.kind)).toEqual(["note", "correction"]);
    expect(filterEntries(entries, "changes").map((e) => e.kind)).toEqual(["stage"]);
    expect(filterEntries(entries, "all")).toHaveLength(3);
  });

  it("folds a run of review edits into one row, and only a run", () => {
    const rows = foldRuns([
      review("summary", 1),
      review("summary", 2),
      review("impact", 3),
      review("summary", 4),
      entry({ kind: "note" }, 5),
      review("impact", 6),
      review("impact", 7, "Bob"),
      review("impact", 40, "Bob"),
    ]);
    expect(rows.map((r) => (r.kind === "review" ? `review×${r.entries.length}` : r.kind))).toEqual([
      "review×4",
      "entry",
      "review×1",
      "review×1",
      "review×1",
    ]);
    const first = rows[0];
    if (first?.kind !== "review") throw new Error("expected a review row");
    expect(describeReviewRun(first.fields)).toBe("Review: summary (3 edits), impact updated");
  });

  it("counts in words that read right", () => {
    expect(plural(1, "entry", "entries")).toBe("1 entry");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
    expect(plural(1, "alert")).toBe("1 alert");
    expect(plural(0, "alert")).toBe("0 alerts");
  });
});
