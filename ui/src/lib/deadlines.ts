// How deadlines read on screen: a countdown that ticks with the window's
// clock. The states come from the core; between two refreshes the countdown
// alone may cross zero, and then shows overdue at once.

import type { Deadline } from "./bindings";
import { formatAge, formatElapsed } from "./time";

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

export function countdown(deadline: Deadline, now: number): Countdown {
  const due = Date.parse(deadline.due_at);
  const left = due - now;
  switch (deadline.state) {
    case "met":
      return { text: "met", tone: "met" };
    case "snoozed":
      return {
        text: `snoozed ${formatCountdown(Math.max(0, Date.parse(deadline.snoozed_until ?? "") - now))}`,
        tone: "snoozed",
      };
    case "stalled":
      return { text: `stalled ${formatOverdue(now - due)}`, tone: "stalled" };
    default:
      if (left <= 0) return { text: `${formatOverdue(-left)} overdue`, tone: "overdue" };
      return {
        text: `in ${formatCountdown(left)}`,
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
