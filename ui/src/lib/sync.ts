// What the top bar says about team sync: only what is true, in words.

import type { SyncStatus } from "./bindings";
import { formatTime } from "./time";

export type SyncTone = "ok" | "warn" | "danger" | "muted";

export interface SyncLabel {
  text: string;
  tone: SyncTone;
  /** The longer sentence (tooltip and screen readers). */
  detail: string;
}

function entries(n: number): string {
  return n === 1 ? "1 entry" : `${n} entries`;
}

/** The report to show: events and answers can arrive out of order, so an
 * older report (lower revision) never replaces a newer one. */
export function newestSync(shown: SyncStatus | null, next: SyncStatus): SyncStatus {
  return shown && next.revision < shown.revision ? shown : next;
}

/** null: not in a team with a server, nothing to say. */
export function describeSync(status: SyncStatus | null): SyncLabel | null {
  if (!status || status.state === "off") return null;
  const team = status.team ?? "the team";
  const since = status.since ? formatTime(status.since) : null;
  const waiting = status.waiting > 0 ? ` · ${entries(status.waiting)} waiting` : "";
  const why = status.message ? ` ${status.message}` : "";
  switch (status.state) {
    case "connecting":
      return {
        text: `Connecting to ${team}…${waiting}`,
        tone: "muted",
        detail: `Reaching ${status.server ?? "the server"}.`,
      };
    case "connected":
      return {
        text: `${team}: connected${status.waiting > 0 ? ` · sending ${entries(status.waiting)}` : ""}`,
        tone: "ok",
        detail: `In sync with ${status.server ?? "the server"}${since ? ` since ${since}` : ""}.`,
      };
    case "offline":
      return {
        text: `Offline${since ? ` since ${since}` : ""}${waiting}`,
        tone: "warn",
        detail: `Everything keeps working here; writes wait and are sent when ${status.server ?? "the server"} answers.${why}`,
      };
    case "refused":
      return {
        text: "Credentials refused",
        tone: "danger",
        detail: `The server turned this laptop away: Settings → Team to fix the credentials.${why}`,
      };
  }
}
