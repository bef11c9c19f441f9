// The one interface between the UI and the Rust core. Components receive a
// `Backend`; the app passes the Tauri one, unit tests pass their own.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AppInfo, BoardRow, ChangeEvent, ErrorCode, ErrorPayload } from "./bindings";

export interface Backend {
  listIncidents(includeClosed?: boolean): Promise<BoardRow[]>;
  appInfo(): Promise<AppInfo>;
  /** Calls `handler` after every committed change (also other processes'); returns an unsubscribe. */
  onChange(handler: (event: ChangeEvent) => void): Promise<() => void>;
}

/** The event the shell forwards the core's changes on. */
export const CHANGE_EVENT = "desk-change";

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
  "busy",
  "database",
  "corrupt",
  "invalid_input",
  "not_found",
  "conflict",
  "open_stages",
  "invalid_import",
  "newer_export",
  "io",
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
type Listen = (event: string, handler: (payload: ChangeEvent) => void) => Promise<() => void>;

const tauriListen: Listen = (event, handler) =>
  listen<ChangeEvent>(event, (message) => handler(message.payload));

export function tauriBackend(call: Invoke = invoke, subscribe: Listen = tauriListen): Backend {
  async function command<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await call<T>(cmd, args);
    } catch (reason) {
      throw toBackendError(reason);
    }
  }
  return {
    listIncidents: (includeClosed = false) =>
      command<BoardRow[]>("list_incidents", { includeClosed }),
    appInfo: () => command<AppInfo>("app_info"),
    onChange: (handler) => subscribe(CHANGE_EVENT, handler),
  };
}
