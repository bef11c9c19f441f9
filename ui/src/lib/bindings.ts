// Generated from the Rust types in src-tauri/core by `make bindings`. Do not edit.

export type ErrorCode = "newer_database" | "not_our_database" | "storage_unavailable" | "database" | "corrupt";

export type ErrorPayload = { code: ErrorCode, message: string, };

export type IncidentSummary = { id: string, 
/**
 * Human reference, `INC-<n>`.
 */
ref: string, title: string, kind: string, level: string, status: string, declared_at: string, };

export type AppInfo = { version: string, database_path: string, };
