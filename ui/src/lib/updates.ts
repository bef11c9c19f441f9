// The update flow's states and the words shown for them. The About screen
// holds one `UpdateState`; the Rust side does the checking and verifying.

import type { UpdateInfo, UpdateProgress } from "./bindings";

export type UpdateState =
  | { step: "idle" }
  | { step: "checking" }
  | { step: "current" }
  | { step: "available"; info: UpdateInfo }
  | { step: "downloading"; info: UpdateInfo; progress: UpdateProgress | null }
  | { step: "ready"; info: UpdateInfo }
  /** Downloaded and verified, but an L1 incident is open: it waits. */
  | { step: "waiting"; info: UpdateInfo; reason: string }
  | { step: "installing"; info: UpdateInfo }
  | { step: "installed"; info: UpdateInfo }
  | { step: "failed"; message: string; info: UpdateInfo | null };

/** Bytes the way a person reads them: 512 B, 3.4 kB, 12.5 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB"];
  let value = bytes;
  let unit = "B";
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(1)} ${unit}`;
}

/** The share downloaded, 0–100, or null when the server sent no size. */
export function progressPercent(progress: UpdateProgress | null): number | null {
  if (!progress || progress.total === null || progress.total <= 0) return null;
  return Math.min(100, Math.floor((progress.downloaded / progress.total) * 100));
}

/** "3.1 MB of 9.8 MB (31%)", or just what arrived when the size is unknown. */
export function progressLabel(progress: UpdateProgress | null): string {
  if (!progress) return "Starting the download…";
  const percent = progressPercent(progress);
  if (percent === null || progress.total === null) return `${formatBytes(progress.downloaded)}`;
  return `${formatBytes(progress.downloaded)} of ${formatBytes(progress.total)} (${percent}%)`;
}
