// Human names for the product's vocabulary (the values themselves come from
// the generated bindings).

import type {
  Channel,
  IncidentKind,
  PublicStatus,
  PublishTarget,
  Role,
  Source,
  Stage,
  StageState,
  Template,
} from "./bindings";

export const KINDS: readonly IncidentKind[] = ["outage", "degradation", "security", "user_issue"];
export const STATUSES: readonly PublicStatus[] = [
  "investigating",
  "identified",
  "monitoring",
  "resolved",
];
export const SOURCES: readonly Source[] = ["monitoring", "synthetic", "user_report", "internal"];
export const STAGES: readonly Stage[] = [
  "identify",
  "classify",
  "communicate",
  "remediate",
  "diagnose",
  "repair",
  "review",
];
export const ROLES: readonly Role[] = [
  "commander",
  "deputy",
  "scribe",
  "communications",
  "operations",
  "expert",
  "support",
];

export const KIND_LABEL: Record<IncidentKind, string> = {
  outage: "Outage",
  degradation: "Degradation",
  security: "Security",
  user_issue: "User issue",
};

export const STATUS_LABEL: Record<PublicStatus, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};

export const SOURCE_LABEL: Record<Source, string> = {
  monitoring: "Monitoring alert",
  synthetic: "Synthetic check",
  user_report: "User report",
  internal: "Internal report",
};

export const STAGE_LABEL: Record<Stage, string> = {
  identify: "Identify",
  classify: "Classify",
  communicate: "Communicate",
  remediate: "Remediate",
  diagnose: "Diagnose",
  repair: "Repair",
  review: "Review",
};

/** Two-letter marks for the compact tracker on the board. */
export const STAGE_MARK: Record<Stage, string> = {
  identify: "Id",
  classify: "Cl",
  communicate: "Co",
  remediate: "Re",
  diagnose: "Di",
  repair: "Rp",
  review: "Rv",
};

export const STATE_LABEL: Record<StageState, string> = {
  pending: "Pending",
  active: "Active",
  done: "Done",
  skipped: "Skipped",
  deferred: "Deferred",
};

/** A symbol per state, so state never relies on colour alone. */
export const STATE_SYMBOL: Record<StageState, string> = {
  pending: "○",
  active: "▶",
  done: "✓",
  skipped: "–",
  deferred: "↷",
};

export const ROLE_LABEL: Record<Role, string> = {
  commander: "Commander",
  deputy: "Deputy",
  scribe: "Scribe",
  communications: "Communications lead",
  operations: "Operations lead",
  expert: "Subject-matter expert",
  support: "Support/sales contact",
};

export const CHANNELS: readonly Channel[] = [
  "status_page",
  "social",
  "email",
  "internal",
  "support",
];

/** The services a message is published to, as the buttons name them. */
export const SERVICE_LABEL: Record<PublishTarget, string> = {
  statuspage: "Statuspage",
  slack: "Slack",
  matrix: "Matrix",
  email: "email",
  webhook: "the webhook",
};

export const CHANNEL_LABEL: Record<Channel, string> = {
  status_page: "Status page",
  social: "Social post",
  email: "Customer email",
  internal: "Internal stakeholders",
  support: "Support reply",
};

/** A template as people name it: "Status page — Monitoring", not "status_page/monitoring". */
export function templateLabel(template: Template): string {
  if (!template.builtin) return template.name;
  const status = template.status ? STATUS_LABEL[template.status] : "any status";
  const security = template.security ? " (security incidents)" : "";
  return `${CHANNEL_LABEL[template.channel]} — ${status}${security}`;
}
