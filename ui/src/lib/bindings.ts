// Generated from the Rust types in src-tauri/core by `make bindings`. Do not edit.

export type ErrorCode = "newer_database" | "not_our_database" | "storage_unavailable" | "busy" | "database" | "corrupt" | "invalid_input" | "not_found" | "conflict" | "open_stages" | "invalid_import" | "newer_export" | "publish_failed" | "update_failed" | "io";

export type ErrorPayload = { code: ErrorCode, message: string, 
/**
 * The input the error is about, when there is one (e.g. "title").
 */
field?: string, };

export type LaunchRequest = { "kind": "focus" } | { "kind": "open", "value": string } | { "kind": "invalid", "value": string };

export type Timestamp = string;

export type IncidentKind = "outage" | "degradation" | "security" | "user_issue";

export type PublicStatus = "investigating" | "identified" | "monitoring" | "resolved";

export type Source = "monitoring" | "synthetic" | "user_report" | "internal";

export type Stage = "identify" | "classify" | "communicate" | "remediate" | "diagnose" | "repair" | "review";

export type StageState = "pending" | "active" | "done" | "skipped" | "deferred";

export type Role = "commander" | "deputy" | "scribe" | "communications" | "operations" | "expert" | "support";

export type Channel = "status_page" | "social" | "email" | "internal" | "support";

export type CommunicationState = "draft" | "approved" | "sent" | "discarded";

export type ActionState = "open" | "done" | "dropped";

export type ReviewField = "summary" | "impact" | "root_cause" | "contributing_factors" | "went_well" | "went_badly" | "lucky";

export type Scope = { 
/**
 * Affected services, in the order given.
 */
services: Array<string>, 
/**
 * Affected users, segment or region (free text, e.g. "EU customers on plan X").
 */
segment: string, customer_facing: boolean, };

export type StageRecord = { state: StageState, 
/**
 * When it first became active.
 */
started_at: Timestamp | null, 
/**
 * When it became done, skipped or deferred (cleared if reopened).
 */
completed_at: Timestamp | null, 
/**
 * When its state last changed.
 */
changed_at: Timestamp | null, 
/**
 * Who made the last change.
 */
owner: string | null, 
/**
 * Why it was skipped, or what it was deferred to.
 */
reason: string | null, };

export type Stages = { identify: StageRecord, classify: StageRecord, communicate: StageRecord, remediate: StageRecord, diagnose: StageRecord, repair: StageRecord, review: StageRecord, };

export type RoleAssignment = { role: Role, person: string, assumed_at: Timestamp, relieved_at: Timestamp | null, };

export type Communication = { id: string, channel: Channel, 
/**
 * Targeted subset of users, if any (e.g. "EU customers on plan X").
 */
segment: string, 
/**
 * Email subject.
 */
subject: string | null, body: string, 
/**
 * The public status this message announces (set when it is sent).
 */
announces: PublicStatus | null, state: CommunicationState, created_at: Timestamp, approved_by: string | null, approved_at: Timestamp | null, sent_at: Timestamp | null, 
/**
 * Where it was published (a webhook, shown masked), when it was.
 */
published_to: string | null, };

export type Review = { summary: string, impact: string, root_cause: string, contributing_factors: string, went_well: string, went_badly: string, lucky: string, };

export type ActionItem = { id: string, title: string, owner: string | null, 
/**
 * A calendar date, `YYYY-MM-DD`.
 */
due: string | null, state: ActionState, 
/**
 * The stage that was deferred to this item, if any.
 */
from_stage: Stage | null, created_at: Timestamp, };

export type IncidentRecord = { id: string, 
/**
 * Human reference, `INC-<n>`.
 */
ref: string, title: string, summary: string, kind: IncidentKind, level: string, status: PublicStatus, source: Source, scope: Scope, 
/**
 * Impact start (may be back-dated).
 */
started_at: Timestamp, detected_at: Timestamp, declared_at: Timestamp, 
/**
 * When the public status last became `resolved` (null while not resolved).
 */
resolved_at: Timestamp | null, closed_at: Timestamp | null, stages: Stages, roles: Array<RoleAssignment>, communications: Array<Communication>, review: Review, action_items: Array<ActionItem>, };

export type Change = { "type": "declared", id: string, title: string, summary: string, kind: IncidentKind, level: string, source: Source, started_at: Timestamp, detected_at: Timestamp, } | { "type": "edited", title: string | null, summary: string | null, } | { "type": "classified", kind: IncidentKind | null, level: string | null, services: Array<string> | null, segment: string | null, customer_facing: boolean | null, } | { "type": "stage_changed", stage: Stage, state: StageState, reason: string | null, 
/**
 * The follow-up created when the stage is deferred.
 */
action_item_id: string | null, } | { "type": "status_changed", status: PublicStatus, } | { "type": "role_assigned", role: Role, person: string, } | { "type": "role_relieved", role: Role, person: string, } | { "type": "communication_drafted", id: string, channel: Channel, segment: string, body: string, subject: string | null, announces: PublicStatus | null, } | { "type": "communication_edited", id: string, body: string, subject: string | null, } | { "type": "communication_approved", id: string, } | { "type": "communication_sent", id: string, 
/**
 * The webhook it went out through, masked; none when marked sent by hand.
 */
published_to: string | null, } | { "type": "communication_recorded", id: string, channel: Channel, segment: string, body: string, subject: string | null, } | { "type": "communication_discarded", id: string, } | { "type": "review_updated", field: ReviewField, text: string, } | { "type": "action_item_added", id: string, title: string, owner: string | null, due: string | null, } | { "type": "action_item_changed", id: string, state: ActionState, } | { "type": "action_item_edited", id: string, title: string, owner: string | null, due: string | null, } | { "type": "closed" };

export type EntryKind = "declared" | "edited" | "classified" | "stage" | "status" | "role" | "note" | "correction" | "communication" | "review" | "action_item" | "closed" | "nudge" | "alert";

export type TimelineEntry = { 
/**
 * Position in this incident's timeline (1, 2, 3, …), in recording order.
 */
n: number, 
/**
 * When it happened (may be earlier than `recorded_at`: back-dated).
 */
occurred_at: Timestamp, recorded_at: Timestamp, author: string, kind: EntryKind, text: string, 
/**
 * The state change this entry made, if any.
 */
change: Change | null, 
/**
 * The entry this one corrects.
 */
supersedes: number | null, 
/**
 * The entry that corrects this one (derived).
 */
superseded_by: number | null, };

export type Span = string;

export type PolicyKey = "classify" | "first_update" | "update_every" | "remediate" | "review" | "stalled";

export type Policy = { level: string, classify: Span | null, first_update: Span | null, update_every: Span | null, remediate: Span | null, review: Span | null, stalled: Span | null, 
/**
 * Drafts need the commander's approval before they are sent.
 */
approval: boolean, };

export type DeadlineState = "pending" | "due" | "overdue" | "stalled" | "snoozed" | "met";

export type Deadline = { 
/**
 * `classify`, `first_update`, `next_update`, `remediate`, `review`, or
 * `stalled:<stage>`.
 */
key: string, 
/**
 * What it is about, for people: "first user update".
 */
label: string, 
/**
 * When the clock for this deadline started.
 */
counted_from: Timestamp, due_at: Timestamp, state: DeadlineState, met_at: Timestamp | null, snoozed_until: Timestamp | null, };

export type IncidentDeadlines = { id: string, ref: string, title: string, level: string, level_rank: number, deadlines: Array<Deadline>, };

export type PendingNudge = { incident_id: string, ref: string, title: string, level: string, level_rank: number, deadline: Deadline, 
/**
 * "INC-12 L1: first user update is 4 min overdue".
 */
summary: string, };

export type Template = { name: string, channel: Channel, 
/**
 * The public status it is written for; `None`: any.
 */
status: PublicStatus | null, 
/**
 * The careful wording for security incidents.
 */
security: boolean, 
/**
 * Email subject (other channels ignore it).
 */
subject: string, body: string, builtin: boolean, };

export type DraftRequest = { channel: Channel | null, 
/**
 * Targeted subset of users (it also fills `{affected}`).
 */
segment?: string, 
/**
 * The text; when absent, the template's filled text.
 */
body?: string, subject?: string, 
/**
 * A template by name; when absent, the channel's template for the
 * incident's status (in the security wording for security incidents).
 */
template?: string, };

export type FilledTemplate = { template: string | null, subject: string, body: string, announces: PublicStatus | null, };

export type WebhookFormat = "slack" | "json";

export type ChannelSettings = { channel: Channel, webhook: string | null, format: WebhookFormat, timeout_secs: number, 
/**
 * The channel's length limit, as its platform counts.
 */
limit: number | null, };

export type MessageLength = { length: number, limit: number | null, };

export type StageSpan = { stage: Stage, start: Timestamp, end: Timestamp | null, outcome: StageState, };

export type KeyMoment = { 
/**
 * `started`, `detected`, `declared`, `first_update`, `mitigated`, `resolved`, `closed`.
 */
key: string, label: string, at: Timestamp, };

export type StageBrief = { stage: Stage, state: StageState, };

export type BoardRow = { id: string, 
/**
 * Human reference, `INC-<n>`.
 */
ref: string, title: string, kind: IncidentKind, level: string, 
/**
 * Position of the level in the scale (1 = most severe).
 */
level_rank: number, status: PublicStatus, 
/**
 * The seven stages in canonical order.
 */
stages: Array<StageBrief>, commander: string | null, started_at: Timestamp, detected_at: Timestamp, declared_at: Timestamp, resolved_at: Timestamp | null, closed_at: Timestamp | null, 
/**
 * When the last timeline entry (other than nudges) was recorded.
 */
last_activity_at: Timestamp, 
/**
 * The deadline to look at first: overdue or stalled ones, else the earliest.
 */
next_deadline: Deadline | null, 
/**
 * Every deadline not yet met, the most pressing first.
 */
deadlines: Array<Deadline>, 
/**
 * When the next update to users is due (first or follow-up), if any.
 */
next_update_due: Timestamp | null, 
/**
 * How many deadlines are overdue or stalled.
 */
overdue: number, 
/**
 * Alerts attached to the incident, and how many of them still fire:
 * all resolved is a hint that the fix worked.
 */
alerts: number, alerts_firing: number, };

export type Metrics = { time_to_detect: number | null, time_to_acknowledge: number | null, time_to_first_update: number | null, time_to_mitigate: number | null, time_to_resolve: number | null, };

export type IncidentDetail = { timeline: Array<TimelineEntry>, metrics: Metrics, 
/**
 * Its deadlines now (empty once closed).
 */
deadlines: Array<Deadline>, 
/**
 * The resolution timeline: when each stage was active.
 */
spans: Array<StageSpan>, moments: Array<KeyMoment>, 
/**
 * What the review still lacks (open action items without owner or due date, …).
 */
checklist: Array<string>, id: string, 
/**
 * Human reference, `INC-<n>`.
 */
ref: string, title: string, summary: string, kind: IncidentKind, level: string, status: PublicStatus, source: Source, scope: Scope, 
/**
 * Impact start (may be back-dated).
 */
started_at: Timestamp, detected_at: Timestamp, declared_at: Timestamp, 
/**
 * When the public status last became `resolved` (null while not resolved).
 */
resolved_at: Timestamp | null, closed_at: Timestamp | null, stages: Stages, roles: Array<RoleAssignment>, communications: Array<Communication>, review: Review, action_items: Array<ActionItem>, };

export type Person = { name: string, handle: string, contact: string, team: string, };

export type Level = { name: string, description: string, rank: number, };

export type AppInfo = { version: string, database_path: string, };

export type AppSettings = { check_updates_at_startup: boolean, };

export type UpdateInfo = { current_version: string, version: string, notes: string | null, date: string | null, };

export type UpdateProgress = { downloaded: number, total: number | null, };

export type Diagnostics = { version: string, database_path: string, database_bytes: number, schema_version: number, data_dir: string, log_dir: string, backup_dir: string, backups: number, open_incidents: number, os: string, };

export type ChangeEvent = { "type": "incident", id: string, ref: string, } | { "type": "directory" } | { "type": "external" } | { "type": "alerts" };

export type Declaration = { title: string, kind: IncidentKind, level: string, 
/**
 * How it was noticed; defaults to `internal`.
 */
source?: Source, summary?: string, 
/**
 * Impact start; defaults to the detection time.
 */
started_at?: Timestamp, 
/**
 * Defaults to the declaration time.
 */
detected_at?: Timestamp, 
/**
 * Back-dates the declaration itself.
 */
at?: Timestamp, };

export type Classification = { kind?: IncidentKind, level?: string, services?: Array<string>, segment?: string, customer_facing?: boolean, };

export type IncidentExport = { 
/**
 * Always `incident-desk/incident`.
 */
format: string, 
/**
 * Format version; a newer one is refused on import.
 */
version: number, incident: IncidentRecord, 
/**
 * Every entry, in recording order.
 */
timeline: Array<TimelineEntry>, 
/**
 * The people named in the roles and action items.
 */
people: Array<Person>, metrics: Metrics, };

export type Severity = "critical" | "warning" | "info";

export type AlertInput = { 
/**
 * Who raised it: `alertmanager`, `grafana`, `checkly`, or a name a script chose.
 */
source: string, service: string, severity: Severity, summary: string, 
/**
 * Where to look (a graph, a check result), http(s) only.
 */
link: string | null, 
/**
 * Deliveries with the same source and fingerprint are one alert.
 * Without one, the service and summary make it.
 */
fingerprint: string | null, resolved: boolean, 
/**
 * When the problem started, by the tool's clock.
 */
started_at: Timestamp | null, 
/**
 * From a synthetic check rather than monitoring of the system itself.
 */
synthetic: boolean, };

export type Alert = { id: string, source: string, fingerprint: string, service: string, severity: Severity, summary: string, link: string | null, synthetic: boolean, started_at: Timestamp, first_seen: Timestamp, last_seen: Timestamp, 
/**
 * Firing deliveries received.
 */
count: number, resolved_at: Timestamp | null, 
/**
 * The incident it belongs to, once declared from it or attached.
 */
incident_ref: string | null, 
/**
 * Whether its source is muted (no desktop notification).
 */
muted: boolean, };

export type AlertReceipt = { alert: Alert, 
/**
 * A new alert, or one firing again after it had resolved: worth a notification.
 */
fired: boolean, };

export type AlertSuggestion = { title: string, kind: IncidentKind, level: string, source: Source, started_at: Timestamp, };

export type IntakeSettings = { enabled: boolean, 
/**
 * Where to listen; loopback unless the user changes it knowingly.
 */
address: string, port: number, 
/**
 * The secret every delivery must carry (header or `?token=`).
 */
token: string, 
/**
 * Deliveries accepted per second (with bursts of ten times as many).
 */
rate_per_second: number, 
/**
 * Largest body accepted, in bytes.
 */
max_body_bytes: number, };

export type ReceiverStats = { accepted: number, refused: number, rate_limited: number, };

export type IntakeStatus = { settings: IntakeSettings, 
/**
 * Where it listens now, when it does.
 */
listening: string | null, 
/**
 * Why it is not listening although switched on (e.g. the port is taken).
 */
error: string | null, 
/**
 * Reachable from other machines (the window warns).
 */
exposed: boolean, stats: ReceiverStats, 
/**
 * Sources whose alerts make no notification.
 */
muted: Array<string>, };
