// How the timeline is shown: people's notes apart from the entries the
// app writes for changes, and runs of review edits folded into one line.
// The record itself is never changed: this is only the view.

import type { EntryKind, ReviewField, TimelineEntry } from "./bindings";

export type TimelineFilter = "all" | "notes" | "changes";

/** What people wrote themselves (notes and corrections), as opposed to changes. */
const NOTE_KINDS: readonly EntryKind[] = ["note", "correction"];

export function isNote(entry: TimelineEntry): boolean {
  return NOTE_KINDS.includes(entry.kind);
}

export function filterEntries(
  entries: readonly TimelineEntry[],
  filter: TimelineFilter,
): TimelineEntry[] {
  if (filter === "all") return [...entries];
  return entries.filter((entry) => isNote(entry) === (filter === "notes"));
}

export type TimelineRow =
  | { kind: "entry"; entry: TimelineEntry }
  | { kind: "review"; entries: TimelineEntry[]; fields: [ReviewField, number][] };

/** Review edits by one author, one after the other, within this span, are one row. */
export const FOLD_WITHIN_MS = 15 * 60 * 1000;

function reviewField(entry: TimelineEntry): ReviewField | null {
  return entry.change?.type === "review_updated" ? entry.change.field : null;
}

/**
 * Rows to show: consecutive review edits by the same author (within
 * FOLD_WITHIN_MS of the first) fold into one row that counts the edits per
 * field; everything else is a row of its own.
 */
export function foldRuns(entries: readonly TimelineEntry[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const entry of entries) {
    const field = reviewField(entry);
    const last = rows.at(-1);
    if (field && last?.kind === "review") {
      const first = last.entries[0] as TimelineEntry;
      const sameRun =
        first.author === entry.author &&
        Date.parse(entry.occurred_at) - Date.parse(first.occurred_at) <= FOLD_WITHIN_MS;
      if (sameRun) {
        last.entries.push(entry);
        const counted = last.fields.find(([name]) => name === field);
        if (counted) counted[1] += 1;
        else last.fields.push([field, 1]);
        continue;
      }
    }
    rows.push(
      field ? { kind: "review", entries: [entry], fields: [[field, 1]] } : { kind: "entry", entry },
    );
  }
  return rows;
}

const FIELD_WORDS: Record<ReviewField, string> = {
  summary: "summary",
  impact: "impact",
  root_cause: "root cause",
  contributing_factors: "contributing factors",
  went_well: "what went well",
  went_badly: "what went badly",
  lucky: "where we got lucky",
};

/** "Review: summary (3 edits), impact updated". */
export function describeReviewRun(fields: readonly [ReviewField, number][]): string {
  const parts = fields.map(([field, count]) =>
    count > 1 ? `${FIELD_WORDS[field]} (${count} edits)` : FIELD_WORDS[field],
  );
  return `Review: ${parts.join(", ")} updated`;
}

/** "1 entry", "2 entries": counts that read right. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
