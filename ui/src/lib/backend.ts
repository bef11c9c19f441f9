// The one interface between the UI and the Rust core. Components receive a
// `Backend`; the app passes the Tauri one, unit tests pass their own.

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo, ErrorCode, ErrorPayload, IncidentSummary } from "./bindings";

export interface Backend {
  listIncidents(): Promise<IncidentSummary[]>;
  appInfo(): Promise<AppInfo>;
}

/** A failed command, with the core's machine-readable code. */
export class BackendError extends Error {
  readonly code: ErrorCode | "ipc";

  constructor(payload: ErrorPayload | { code: "ipc"; message: string }) {
    super(payload.message);
    this.name = "BackendError";
    this.code = payload.code;
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "newer_database",
  "not_our_database",
  "storage_unavailable",
  "database",
  "corrupt",
]);

function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate["code"] === "string" &&
    ERROR_CODES.has(candidate["code"]) &&
    typeof candidate["message"] === "string"
  );
}

/** Turns whatever a rejected `invoke` gave us into a `BackendError`. */
export function toBackendError(reason: unknown): BackendError {
  if (reason instanceof BackendError) return reason;
  if (isErrorPayload(reason)) return new BackendError(reason);
  const message =
    typeof reason === "string"
      ? reason
      : reason instanceof Error
        ? reason.message
        : "the app's core did not answer";
  return new BackendError({ code: "ipc", message });
}

/** Errors that mean the database cannot be used at all (shown full-window). */
export function isStartupError(error: BackendError): boolean {
  return (
    error.code === "newer_database" ||
    error.code === "not_our_database" ||
    error.code === "storage_unavailable"
  );
}

type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

export function tauriBackend(call: Invoke = invoke): Backend {
  async function command<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await call<T>(cmd, args);
    } catch (reason) {
      throw toBackendError(reason);
    }
  }
  return {
    listIncidents: () => command<IncidentSummary[]>("list_incidents"),
    appInfo: () => command<AppInfo>("app_info"),
  };
}
