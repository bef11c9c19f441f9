// Generated from the Rust types in src-tauri/core by `make bindings`. Do not edit.

export type ErrorCode = "newer_database" | "not_our_database" | "storage_unavailable" | "busy" | "database" | "corrupt" | "invalid_input" | "not_found" | "conflict" | "open_stages" | "invalid_import" | "invalid_backup" | "newer_export" | "publish_failed" | "update_failed" | "disk_full" | "read_only" | "io";

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
published_to: string | null, 
/**
 * The service it waits in the outbox for (until confirmed, failed or
 * cancelled).
 */
queued_to: PublishTarget | null, 
/**
 * Why publishing stopped, when a retry would not help.
 */
publish_error: string | null, 
/**
 * The service that confirmed it, when it went through the outbox.
 */
sent_via: PublishTarget | null, 
/**
 * The incident's thread or page at that service (the Statuspage
 * incident, the Slack thread): the next message goes there. On the
 * record, so every laptop of the team posts to the same one.
 */
service_thread: string | null, };

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
resolved_at: Timestamp | null, closed_at: Timestamp | null, stages: Stages, roles: Array<RoleAssignment>, communications: Array<Communication>, review: Review, action_items: Array<ActionItem>, 
/**
 * What two laptops disagreed on, or what the fold could not apply here:
 * shown until someone who has seen it settles the subject.
 */
conflicts: Array<ConflictNote>, 
/**
 * The playbook checklist items marked so far (see `domain/playbook.rs`).
 */
checks: Array<CheckMark>, 
/**
 * Live tasks handed out during the incident.
 */
tasks: Array<Task>, 
/**
 * What became of the hypotheses noted (open ones have no mark).
 */
hypothesis_marks: Array<HypothesisMark>, };

export type Change = { "type": "declared", id: string, title: string, summary: string, kind: IncidentKind, level: string, source: Source, started_at: Timestamp, detected_at: Timestamp, 
/**
 * Affected services known at the declaration (from an alert).
 */
services?: Array<string>, 
/**
 * The reference its writer gave it (`INC-12`, or `INC-12-K7Q` in a
 * team); a clash with another laptop's is settled the same way
 * everywhere (see `desk/references.rs`).
 */
reference?: string, } | { "type": "edited", title: string | null, summary: string | null, } | { "type": "classified", kind: IncidentKind | null, level: string | null, services: Array<string> | null, segment: string | null, customer_facing: boolean | null, } | { "type": "stage_changed", stage: Stage, state: StageState, reason: string | null, 
/**
 * The follow-up created when the stage is deferred.
 */
action_item_id: string | null, } | { "type": "status_changed", status: PublicStatus, } | { "type": "role_assigned", role: Role, person: string, } | { "type": "role_relieved", role: Role, person: string, } | { "type": "communication_drafted", id: string, channel: Channel, segment: string, body: string, subject: string | null, announces: PublicStatus | null, } | { "type": "communication_edited", id: string, body: string, subject: string | null, } | { "type": "communication_approved", id: string, } | { "type": "communication_sent", id: string, 
/**
 * The webhook it went out through, masked; none when marked sent by hand.
 */
published_to: string | null, 
/**
 * The service that confirmed it (through the outbox). Left out
 * when absent, so entries read as they did before the outbox.
 */
via?: PublishTarget, 
/**
 * The incident's thread or page at that service.
 */
thread?: string, } | { "type": "communication_recorded", id: string, channel: Channel, segment: string, body: string, subject: string | null, } | { "type": "communication_discarded", id: string, } | { "type": "publish_queued", id: string, target: PublishTarget, } | { "type": "publish_cancelled", id: string, } | { "type": "publish_failed", id: string, reason: string, } | { "type": "review_updated", field: ReviewField, text: string, } | { "type": "action_item_added", id: string, title: string, owner: string | null, due: string | null, } | { "type": "action_item_changed", id: string, state: ActionState, } | { "type": "action_item_edited", id: string, title: string, owner: string | null, due: string | null, } | { "type": "checklist_marked", item: string, text: string, stage: Stage, state: CheckState, } | { "type": "task_added", id: string, title: string, owner: string | null, owner_role: Role | null, due_at: Timestamp | null, } | { "type": "task_changed", id: string, state: TaskState, } | { "type": "task_promoted", id: string, action_item_id: string, } | { "type": "hypothesis_marked", entry_id: string, state: HypothesisState, } | { "type": "closed" };

export type EntryKind = "declared" | "edited" | "classified" | "stage" | "status" | "role" | "note" | "correction" | "communication" | "review" | "action_item" | "closed" | "nudge" | "alert" | "checklist" | "task" | "hypothesis";

export type TimelineEntry = { 
/**
 * Globally unique id (UUIDv7): the same entry on every laptop.
 */
id: string, 
/**
 * Hybrid logical clock stamp: the order of recording across laptops
 * (see `domain/hlc.rs`); the fold applies entries in this order.
 */
hlc: string, 
/**
 * The newest stamp of this incident its writer had seen: what tells a
 * concurrent change from one made knowingly.
 */
seen: string | null, 
/**
 * The entry's number for people and `--corrects`: its place (1, 2, 3, …)
 * in stamp order, the same on every laptop holding the same entries.
 * Not for replication (ids are).
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
 * The entry this one corrects (its number here, when it has arrived).
 */
supersedes: number | null, 
/**
 * The id of the entry this one corrects (it may not have arrived yet).
 */
supersedes_id: string | null, 
/**
 * The entry that corrects this one (derived).
 */
superseded_by: number | null, };

export type ConflictNote = { 
/**
 * What it is about: `role:commander`, `stage:diagnose`, `title`, `message:<id>`…
 */
subject: string, 
/**
 * The entry that could not be applied, or the later of two concurrent ones.
 */
entry_id: string, 
/**
 * That entry's clock stamp: a later change of the subject by someone
 * who had seen it settles the note.
 */
hlc: string, message: string, 
/**
 * True when the entry was applied (it won a concurrent change), false
 * when it is on the timeline but could not be applied.
 */
applied: boolean, };

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
limit: number | null, 
/**
 * The Matrix room it publishes to (the access token is in the
 * desktop's secret store).
 */
matrix: MatrixRoom | null, 
/**
 * The Slack channel it posts to (the bot token is in the secret store).
 */
slack: SlackTarget | null, 
/**
 * The Statuspage page it updates (the API key is in the secret store).
 */
statuspage: StatuspageTarget | null, 
/**
 * The mail server and lists it sends to (the password is in the
 * secret store).
 */
email: EmailTarget | null, 
/**
 * The services set up, the default for "Publish" first.
 */
services: Array<PublishTarget>, };

export type MessageLength = { length: number, limit: number | null, };

export type StageSpan = { stage: Stage, start: Timestamp, end: Timestamp | null, outcome: StageState, };

export type KeyMoment = { 
/**
 * `started`, `detected`, `declared`, `first_update`, `mitigated`, `resolved`, `closed`.
 */
key: string, label: string, at: Timestamp, };

export type StageBrief = { stage: Stage, state: StageState, };

export type BoardView = "open" | "closed" | "all";

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
alerts: number, alerts_firing: number, 
/**
 * What the fold could not apply (two offline writers disagreed), until settled.
 */
conflicts: number, 
/**
 * Roles its level expects that nobody holds now.
 */
missing_roles: Array<Role>, 
/**
 * The playbook checklist: items settled (done or skipped) of all.
 */
checklist: Progress, 
/**
 * Live tasks still open.
 */
tasks_open: number, 
/**
 * Messages waiting in the outbox for a service to confirm them.
 */
messages_queued: number, };

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
checklist: Array<string>, 
/**
 * Each stage's best practice and what the record calls for now.
 */
guidance: Array<StageGuidance>, 
/**
 * The playbook checklist of its kind × level, with each item's mark.
 */
playbook: Array<ChecklistLine>, 
/**
 * The notes tagged as hypotheses, with what became of each.
 */
hypotheses: Array<Hypothesis>, id: string, 
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
resolved_at: Timestamp | null, closed_at: Timestamp | null, stages: Stages, roles: Array<RoleAssignment>, communications: Array<Communication>, review: Review, action_items: Array<ActionItem>, 
/**
 * What two laptops disagreed on, or what the fold could not apply here:
 * shown until someone who has seen it settles the subject.
 */
conflicts: Array<ConflictNote>, 
/**
 * The playbook checklist items marked so far (see `domain/playbook.rs`).
 */
checks: Array<CheckMark>, 
/**
 * Live tasks handed out during the incident.
 */
tasks: Array<Task>, 
/**
 * What became of the hypotheses noted (open ones have no mark).
 */
hypothesis_marks: Array<HypothesisMark>, };

export type StageGuidance = { stage: Stage, practice: string, prompt: Prompt | null, };

export type Brief = { ref: string, text: string, markdown: string, };

export type PublishTarget = "webhook" | "matrix" | "slack" | "statuspage" | "email";

export type SlackTarget = { 
/**
 * The channel's id (`C0123ABCD`: channel details → About), not its name.
 */
channel_id: string, 
/**
 * Also show thread replies in the channel.
 */
broadcast: boolean, 
/**
 * The Web API's address when not Slack's own (a test, a proxy).
 */
api: string | null, };

export type StatuspageTarget = { page_id: string, 
/**
 * Which of the incident's affected services are which components.
 */
components: Array<ComponentMapping>, 
/**
 * The API's address when not Statuspage's own (a test, a proxy).
 */
api: string | null, };

export type ComponentMapping = { 
/**
 * The service name as incidents list it (compared without case).
 */
service: string, 
/**
 * The Statuspage component id.
 */
component_id: string, };

export type EmailTarget = { smtp: SmtpServer, 
/**
 * The From address (`status@example.com`).
 */
from: string, lists: Array<RecipientList>, };

export type SmtpServer = { host: string, port: number, security: SmtpSecurity, 
/**
 * The login, when the server wants one (the password is in the
 * desktop's secret store).
 */
username: string | null, 
/**
 * A PEM file of the certificate authority to trust for this server
 * (a company CA), besides the usual ones.
 */
ca_file: string | null, };

export type SmtpSecurity = "start_tls" | "tls" | "none";

export type RecipientList = { name: string, kinds: Array<IncidentKind>, levels: Array<string>, to: Array<string>, };

export type MatrixRoom = { 
/**
 * `https://matrix.example.org` (http only for a homeserver on this machine).
 */
homeserver: string, room_id: string, };

export type Publication = { 
/**
 * The outbox entry.
 */
id: string, incident_id: string, ref: string, title: string, level: string, kind: IncidentKind, 
/**
 * The incident's public status now.
 */
status: PublicStatus, services: Array<string>, target: PublishTarget, message: Communication, queued_at: Timestamp, attempts: number, next_attempt_at: Timestamp, last_error: string | null, 
/**
 * The incident's thread or page at the service, once there is one
 * (the Statuspage incident, the Slack thread).
 */
link: string | null, };

export type CheckState = "open" | "done" | "skipped";

export type TaskState = "open" | "done" | "dropped";

export type HypothesisState = "open" | "ruled_out" | "confirmed";

export type PlaybookItem = { 
/**
 * Stable name of the item (ticks refer to it): lowercase, digits, `-`.
 */
key: string, stage: Stage, text: string, 
/**
 * Who does it by default.
 */
owner_role?: Role, 
/**
 * A clock: due this many hours after detection (e.g. 72 for the GDPR's
 * breach notification); a real deadline, with its nudge, until settled.
 */
due_hours?: number, };

export type Playbook = { kind: IncidentKind, level: string, items: Array<PlaybookItem>, };

export type CheckMark = { item: string, text: string, stage: Stage, state: CheckState, by: string, at: Timestamp, };

export type Task = { id: string, title: string, 
/**
 * The person doing it.
 */
owner: string | null, 
/**
 * The role it was given to, when given to a role's holder.
 */
owner_role: Role | null, due_at: Timestamp | null, state: TaskState, created_at: Timestamp, done_at: Timestamp | null, 
/**
 * The action item it was promoted to.
 */
action_item_id: string | null, };

export type HypothesisMark = { 
/**
 * The note's entry id.
 */
entry_id: string, state: HypothesisState, by: string, at: Timestamp, };

export type ChecklistLine = { key: string, stage: Stage, text: string, owner_role: Role | null, due_at: Timestamp | null, state: CheckState, by: string | null, at: Timestamp | null, };

export type Hypothesis = { entry_id: string, n: number, text: string, author: string, state: HypothesisState, };

export type Progress = { settled: number, total: number, };

export type Prompt = { "type": "missing_monitor", follow_up: string | null, } | { "type": "level_meaning", level: string, meaning: string, missing: Array<Role>, } | { "type": "targeted_message", segment: string, } | { "type": "rollback", entry_n: number, text: string, minutes_before: number, } | { "type": "defer_diagnosis", until: Timestamp, } | { "type": "defer_repair" } | { "type": "review", due_at: Timestamp | null, };

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
at?: Timestamp, 
/**
 * Affected services already known (declaring from an alert: its service).
 */
services?: Array<string>, };

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
people: Array<Person>, metrics: Metrics, 
/**
 * The playbook checklist at export time, each item done, skipped or
 * open (derived: the marks themselves are in the timeline).
 */
playbook: Array<ChecklistLine>, };

export type RemoteEntry = { incident_id: string, 
/**
 * For a declaration: the reference its origin knows the incident by.
 */
reference?: string, entry: TimelineEntry, };

export type ApplyReport = { 
/**
 * New entries stored (and folded).
 */
applied: number, 
/**
 * Entries that were already here.
 */
duplicates: number, 
/**
 * Entries kept aside until their incident's declaration arrives.
 */
parked: number, 
/**
 * Entries the gate refused, with why (nothing of them was stored).
 */
refused: Array<string>, 
/**
 * Entries whose stamp was far ahead of this laptop's clock (kept, flagged).
 */
skewed: number, 
/**
 * References of the incidents that changed.
 */
incidents: Array<string>, 
/**
 * Clashes of references settled: (the reference both claimed, the new
 * one of the incident declared later).
 */
renamed: Array<[string, string]>, };

export type TeamInfo = { 
/**
 * The team's name, once joined.
 */
team: string | null, node_id: string, 
/**
 * The three characters in references minted here (`INC-12-K7Q`).
 */
tag: string, 
/**
 * Entries written here not yet delivered by a transport.
 */
undelivered: number, };

export type TeamConnection = { 
/**
 * `nats://host:4222` or `tls://host:4222`.
 */
server: string, 
/**
 * The person's name on the server; also names their private inbox
 * (`_INBOX_<user>`), which the server's permissions fence.
 */
user: string, credential: CredentialKind, 
/**
 * A CA certificate (PEM file) to pin: the server's certificate must chain to it.
 */
ca_file?: string, };

export type CredentialKind = "none" | "password" | "token" | "nkey" | "creds";

export type SyncStatus = { state: SyncState, 
/**
 * Since when it is in this state (connected since, offline since).
 */
since: Timestamp | null, 
/**
 * Entries written here that the server has not acknowledged yet.
 */
waiting: number, 
/**
 * What went wrong, in a sentence (offline or refused).
 */
message?: string, 
/**
 * The team and server, when set.
 */
team?: string, server?: string, 
/**
 * Orders the reports: a window hears them both as events and as
 * answers, which may arrive out of order, and keeps the newest.
 */
revision: number, };

export type SyncState = "off" | "connecting" | "connected" | "offline" | "refused";

export type Presence = { 
/**
 * The laptop (its node id).
 */
node: string, 
/**
 * The person at it.
 */
person: string, 
/**
 * The incident open in their window (its id, the same on every laptop).
 */
viewing: string | null, };

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
synthetic: boolean, 
/**
 * It reports a deploy or change rather than a problem.
 */
change: boolean, };

export type Alert = { id: string, source: string, fingerprint: string, service: string, severity: Severity, summary: string, link: string | null, synthetic: boolean, 
/**
 * It reports a deploy or change (see `AlertInput::change`).
 */
change: boolean, started_at: Timestamp, first_seen: Timestamp, last_seen: Timestamp, 
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

export type AlertSuggestion = { title: string, kind: IncidentKind, level: string, source: Source, started_at: Timestamp, 
/**
 * Affected services: the alert's.
 */
services: Array<string>, };

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
