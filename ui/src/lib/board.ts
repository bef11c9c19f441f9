// View logic of the command board: filtering and the closed list's order.
// (Which incidents are open and their order by level and age come from the core.)

import type { BoardRow, IncidentKind } from "./bindings";
import { countdown } from "./deadlines";
import { formatAge, since } from "./time";

export interface BoardFilter {
  kind: IncidentKind | "";
  level: string;
}

export function filterRows(rows: readonly BoardRow[], filter: BoardFilter): BoardRow[] {
  return rows.filter(
    (row) =>
      (filter.kind === "" || row.kind === filter.kind) &&
      (filter.level === "" || row.level === filter.level),
  );
}

/** Closed incidents, most recently closed first. */
export function closedRows(rows: readonly BoardRow[]): BoardRow[] {
  return rows
    .filter((row) => row.closed_at !== null)
    .sort((a, b) => Date.parse(b.closed_at ?? "") - Date.parse(a.closed_at ?? ""));
}

/** The levels present, in the core's order (most severe first), without repeats. */
export function levelsIn(rows: readonly BoardRow[]): string[] {
  const seen = new Map<string, number>();
  for (const row of rows) seen.set(row.level, row.level_rank);
  return [...seen.entries()].sort((a, b) => a[1] - b[1]).map(([level]) => level);
}

/**
 * The new board, reusing the previous object of every row that did not
 * change: the view then skips those rows entirely (one changed incident on
 * a board of hundreds re-renders one row).
 */
export function reuseUnchanged(previous: readonly BoardRow[] | null, next: BoardRow[]): BoardRow[] {
  if (previous === null) return next;
  const before = new Map(previous.map((row) => [row.id, row]));
  return next.map((row) => {
    const old = before.get(row.id);
    return old !== undefined && JSON.stringify(old) === JSON.stringify(row) ? old : row;
  });
}

/** Whether a row shows as an alarm at `at`: something overdue, or its next
 *  deadline passed since the row was loaded. */
export function rowAlarm(row: BoardRow, at: number): boolean {
  return (
    row.overdue > 0 ||
    (row.next_deadline !== null &&
      row.next_deadline.state !== "snoozed" &&
      Date.parse(row.next_deadline.due_at) <= at)
  );
}

/** The row's elapsed time, as the board shows it (ticking while open). */
export function rowAge(row: BoardRow, at: number): string {
  return formatAge(since(row.started_at, at));
}

/** Everything on a board row that reads the clock, as one text: the page
 *  clock wakes the row when (and only when) this changes. */
export function rowClockText(row: BoardRow, at: number): string {
  const parts = [String(rowAlarm(row, at))];
  if (!row.closed_at && !row.resolved_at) parts.push(rowAge(row, at));
  for (const deadline of row.deadlines) {
    const shown = countdown(deadline, at, "minutes");
    parts.push(`${shown.tone} ${shown.text}`);
  }
  return parts.join("|");
}
