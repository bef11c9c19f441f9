// Geometry of the resolution strip: where spans and moments sit on a time
// axis (the spans themselves come from the core).

import type { KeyMoment, StageSpan } from "./bindings";

export interface Axis {
  start: number;
  end: number;
}

/** The time range that holds every span and moment (at least one minute). */
export function axisOf(
  spans: readonly StageSpan[],
  moments: readonly KeyMoment[],
  now: number,
): Axis {
  const times: number[] = [];
  for (const s of spans) {
    times.push(Date.parse(s.start));
    times.push(s.end === null ? now : Date.parse(s.end));
  }
  for (const m of moments) times.push(Date.parse(m.at));
  const valid = times.filter((t) => !Number.isNaN(t));
  if (valid.length === 0) return { start: now - 60_000, end: now };
  const start = Math.min(...valid);
  const end = Math.max(start + 60_000, ...valid);
  return { start, end };
}

/** Position of `time` on the axis, 0–1. */
export function position(axis: Axis, time: number): number {
  return Math.min(1, Math.max(0, (time - axis.start) / (axis.end - axis.start)));
}

/** A span as left/width fractions; a moment-long span gets a visible sliver. */
export function place(axis: Axis, span: StageSpan, now: number): { left: number; width: number } {
  const from = position(axis, Date.parse(span.start));
  const to = position(axis, span.end === null ? now : Date.parse(span.end));
  return { left: from, width: Math.max(to - from, 0.004) };
}
