// Time as the commander reads and types it: elapsed durations, local clock
// times, and the short forms the scribe uses to back-date an entry.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `45s`, `4m 05s`, `1h 02m`, `2d 03h` (the same forms as `idesk`). */
export function formatElapsed(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const s = Math.floor(Math.abs(ms) / SECOND);
  const pad = (n: number) => String(n).padStart(2, "0");
  let text: string;
  if (s < 60) text = `${s}s`;
  else if (s < 3600) text = `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  else text = `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
  return sign + text;
}

/**
 * A duration that ticks on screen, as often as it needs to: whole minutes
 * (`<1m`, `4m`, `59m`), then `1h 02m`, `2d 03h`. A board of many rows then
 * changes text once a minute, not once a second: WebKit repaints in
 * software, and an idle board open for hours must cost nothing.
 */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`;
  if (ms < MINUTE) return "<1m";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  return formatElapsed(ms);
}

// One way to write dates and times everywhere in the window (and the same
// as the reports): `2026-12-04`, 24-hour `08:59`, local time; the zone is
// named wherever a full date-time could be misread.

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `2026-12-04` (local date); the input unchanged when it is not a time. */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

/** `08:59` (local, 24-hour); with seconds `08:59:21`. */
export function formatTime(iso: string, seconds = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const base = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  return seconds ? `${base}:${pad2(date.getSeconds())}` : base;
}

/** The local zone as an offset: `UTC`, `UTC+01:00`, `UTC-05:30`. */
export function zoneLabel(at: Date = new Date()): string {
  const minutes = -at.getTimezoneOffset();
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** `2026-12-04 08:59 UTC+01:00`: a full date-time that cannot be misread. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${formatDate(iso)} ${formatTime(iso)} ${zoneLabel(date)}`;
}

/** Local wall-clock time `14:32:05`, with the date when it is not today. */
export function formatClock(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = formatTime(iso, true);
  const sameDay = date.toDateString() === now.toDateString();
  if (sameDay) return time;
  return `${formatDate(iso)} ${time}`;
}

/**
 * Milliseconds since `iso` at `now`: never negative (the ticking clock can
 * lag a fresh timestamp by a moment), 0 for an unreadable time.
 */
export function since(iso: string, now: number): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, now - t);
}

export type TimeToken = { ok: true; at: Date } | { ok: false; error: string };

const RELATIVE = /^-(\d+)\s*(s|m|h|d)$/i;
const CLOCK = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Reads a time the way people type it under pressure:
 * `-5m`, `-90s`, `-2h`, `-1d` (ago); `14:32` or `14:32:10` (today, local —
 * or yesterday when that would be in the future); or a full ISO date-time.
 */
export function parseTimeToken(token: string, now: Date): TimeToken {
  const text = token.trim();
  const relative = RELATIVE.exec(text);
  if (relative) {
    const amount = Number(relative[1]);
    const unit = (relative[2] ?? "m").toLowerCase();
    const scale = unit === "s" ? SECOND : unit === "m" ? MINUTE : unit === "h" ? HOUR : DAY;
    return { ok: true, at: new Date(now.getTime() - amount * scale) };
  }
  const clock = CLOCK.exec(text);
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours > 23 || minutes > 59 || seconds > 59) {
      return { ok: false, error: `${text} is not a time of day` };
    }
    const at = new Date(now);
    at.setHours(hours, minutes, seconds, 0);
    // A clock time later than now (beyond a minute of skew) means yesterday.
    if (at.getTime() > now.getTime() + MINUTE) at.setDate(at.getDate() - 1);
    return { ok: true, at };
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) {
    const at = new Date(text.replace(" ", "T"));
    if (!Number.isNaN(at.getTime())) return { ok: true, at };
  }
  return {
    ok: false,
    error: `"${text}" is not a time: use -5m, 14:32 or 2026-11-30 14:32`,
  };
}

export interface ScribeLine {
  /** When it happened; `null` means now. */
  at: Date | null;
  text: string;
}

/**
 * Splits a scribe line into its optional back-dating prefix and the text:
 * `14:32 rolled back` or `-5m paged DB team`. A first word that only looks
 * like a time prefix when followed by text is taken as one.
 */
export function parseScribeLine(line: string, now: Date): ScribeLine {
  const match = /^(\S+)\s+([\s\S]+)$/.exec(line);
  if (match) {
    const [, head = "", rest = ""] = match;
    if (RELATIVE.test(head) || CLOCK.test(head)) {
      const token = parseTimeToken(head, now);
      if (token.ok) return { at: token.at, text: rest };
    }
  }
  return { at: null, text: line };
}
