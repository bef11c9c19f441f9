// How deadlines read on screen: a countdown that ticks with the window's
// clock. The states come from the core; between two refreshes the countdown
// alone may cross zero, and then shows overdue at once.

import type { Deadline, IncidentDetail } from "./bindings";
import { taskOverdue } from "./playbook";
import { formatAge, formatElapsed, since } from "./time";

export type Tone = "ok" | "soon" | "overdue" | "stalled" | "snoozed" | "met";

export interface Countdown {
  text: string;
  tone: Tone;
}

/** Seconds only in the last two minutes: a deadline further off reads (and
 *  repaints) once a minute. */
export function formatCountdown(ms: number): string {
  // Seconds only in the last two minutes, where they matter.
  if (ms < 2 * 60_000) return formatElapsed(ms);
  if (ms < 3_600_000) return `${Math.ceil(ms / 60_000)}m`;
  return formatElapsed(ms);
}

/** Time past a deadline: seconds in its first minute, then minutes. */
export function formatOverdue(ms: number): string {
  return ms < 60_000 ? formatElapsed(ms) : formatAge(ms);
}

/** How finely a countdown reads. The board reads in minutes: every changed
 *  text costs a repaint of the window (a whole frame in software), and a
 *  board of many rows would repaint each second of every deadline's last
 *  minutes. The incident room, one incident at a time, shows the seconds. */
export type Precision = "seconds" | "minutes";

/** Minutes only: whole minutes rounded up, `<1m` in the last one. */
export function formatMinuteCountdown(ms: number): string {
  if (ms <= 60_000) return "<1m";
  if (ms < 3_600_000) return `${Math.ceil(ms / 60_000)}m`;
  return formatElapsed(ms);
}

export function countdown(
  deadline: Deadline,
  now: number,
  precision: Precision = "seconds",
): Countdown {
  const due = Date.parse(deadline.due_at);
  const left = due - now;
  const ahead = precision === "seconds" ? formatCountdown : formatMinuteCountdown;
  const past = precision === "seconds" ? formatOverdue : formatAge;
  switch (deadline.state) {
    case "met":
      return { text: "met", tone: "met" };
    case "snoozed":
      return {
        text: `snoozed ${ahead(Math.max(0, Date.parse(deadline.snoozed_until ?? "") - now))}`,
        tone: "snoozed",
      };
    case "stalled":
      return { text: `stalled ${past(now - due)}`, tone: "stalled" };
    default:
      if (left <= 0) return { text: `${past(-left)} overdue`, tone: "overdue" };
      return {
        text: `in ${ahead(left)}`,
        tone: deadline.state === "due" ? "soon" : "ok",
      };
  }
}

/** Whether a deadline can be snoozed now. */
export function snoozable(deadline: Deadline, now: number): boolean {
  return (
    deadline.state !== "met" && (deadline.state !== "pending" || Date.parse(deadline.due_at) <= now)
  );
}

/** Everything in an incident's room that reads the clock, as one text: the
 *  page clock wakes the room when (and only when) this changes. */
export function roomClockText(detail: IncidentDetail, at: number): string {
  const ticking = detail.closed_at === null && detail.resolved_at === null;
  const parts = ticking ? [formatElapsed(since(detail.started_at, at))] : [];
  for (const deadline of detail.deadlines) {
    const shown = countdown(deadline, at);
    parts.push(`${shown.tone} ${shown.text} ${snoozable(deadline, at)}`);
  }
  for (const task of detail.tasks) parts.push(String(taskOverdue(task, at)));
  return parts.join("|");
}
