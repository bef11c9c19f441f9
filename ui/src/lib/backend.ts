// The one interface between the UI and the Rust core. Components receive a
// `Backend`; the app passes the Tauri one, unit tests pass their own.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  ActionItem,
  ActionState,
  Alert,
  AlertSuggestion,
  AppInfo,
  AppSettings,
  BoardRow,
  BoardView,
  Channel,
  ChannelSettings,
  ChangeEvent,
  Communication,
  Diagnostics,
  DraftRequest,
  FilledTemplate,
  Classification,
  Declaration,
  ErrorCode,
  ErrorPayload,
  IncidentDetail,
  IncidentRecord,
  IntakeSettings,
  IntakeStatus,
  LaunchRequest,
  Level,
  MessageLength,
  PendingNudge,
  Person,
  Policy,
  PolicyKey,
  PublicStatus,
  ReviewField,
  Role,
  Stage,
  StageState,
  Template,
  TimelineEntry,
  UpdateInfo,
  UpdateProgress,
  WebhookFormat,
  SyncStatus,
  TeamConnection,
  Presence,
  Brief,
  CheckState,
  HypothesisState,
  Playbook,
  Publication,
  PublishTarget,
  SlackTarget,
  StatuspageTarget,
  EmailTarget,
  Task,
  TaskState,
} from "./bindings";

/** Settings → Team (src-tauri/src/team_sync.rs). */
export interface TeamSettings {
  team: string | null;
  connection: TeamConnection | null;
  node_id: string;
  tag: string;
  /** Where the secret is kept, in words. */
  secret_store: string;
  /** This laptop's person (the author of its entries). */
  you: string;
}

/** Someone on another laptop made this person commander. */
export interface Handoff {
  ref: string;
  title: string;
  from: string;
}

export interface Backend {
  appInfo(): Promise<AppInfo>;
  /** The board: open incidents (resolved ones included), or the closed ones. */
  listIncidents(view?: BoardView): Promise<BoardRow[]>;
  getIncident(reference: string): Promise<IncidentDetail>;
  /** The catch-up brief for someone joining or taking over. */
  brief(reference: string): Promise<Brief>;
  /** Copies the brief (Markdown for a chat); resolves with what was copied. */
  copyBrief(reference: string, markdown: boolean): Promise<string>;
  declare(input: Declaration): Promise<IncidentRecord>;
  classify(reference: string, input: Classification): Promise<TimelineEntry>;
  /** Changes the title and/or the summary (absent: unchanged). */
  editIncident(reference: string, title?: string, summary?: string): Promise<TimelineEntry>;
  setStage(
    reference: string,
    stage: Stage,
    state: StageState,
    reason?: string,
  ): Promise<TimelineEntry>;
  setStatus(reference: string, status: PublicStatus): Promise<TimelineEntry>;
  assign(reference: string, role: Role, person: string): Promise<TimelineEntry>;
  relieve(reference: string, role: Role, person: string): Promise<TimelineEntry>;
  addNote(reference: string, text: string, at?: string, corrects?: number): Promise<TimelineEntry>;
  close(reference: string): Promise<TimelineEntry>;
  people(): Promise<Person[]>;
  levels(): Promise<Level[]>;
  policies(): Promise<Policy[]>;
  /** `value` is a duration (`90s`, `15m`, `2h`, `3d`, `5wd`) or `off`. */
  setPolicy(level: string, key: PolicyKey, value: string): Promise<Policy>;
  snooze(reference: string, key: string, minutes: number): Promise<TimelineEntry>;
  setApproval(level: string, required: boolean): Promise<Policy>;
  fillTemplate(
    reference: string,
    channel: Channel,
    segment: string,
    template?: string,
  ): Promise<FilledTemplate>;
  draftMessage(reference: string, request: DraftRequest): Promise<Communication>;
  editMessage(
    reference: string,
    id: string,
    body: string,
    subject?: string,
  ): Promise<Communication>;
  approveMessage(reference: string, id: string): Promise<Communication>;
  sendMessage(reference: string, id: string): Promise<Communication>;
  discardMessage(reference: string, id: string): Promise<Communication>;
  publishMessage(reference: string, id: string): Promise<Communication>;
  /** Copies to the clipboard (from Rust); resolves with the text copied. */
  copyMessage(reference: string, id: string): Promise<string>;
  measureMessage(channel: Channel, text: string): Promise<MessageLength>;
  templates(): Promise<Template[]>;
  saveTemplate(template: Template): Promise<Template>;
  deleteTemplate(name: string): Promise<void>;
  channelSettings(): Promise<ChannelSettings[]>;
  updateReview(reference: string, field: ReviewField, text: string): Promise<TimelineEntry>;
  addActionItem(reference: string, title: string, owner: string, due: string): Promise<ActionItem>;
  editActionItem(
    reference: string,
    id: string,
    title: string,
    owner: string,
    due: string,
  ): Promise<TimelineEntry>;
  setActionItemState(reference: string, id: string, state: ActionState): Promise<TimelineEntry>;
  /** Saves through the native dialog; resolves with the path, or null when cancelled. */
  exportReview(reference: string, format: "pdf" | "md"): Promise<string | null>;
  /** Ticks (done), skips or reopens a playbook checklist item (by key). */
  markCheck(reference: string, item: string, state: CheckState): Promise<TimelineEntry>;
  /** Hands out a live task: owner a person or a role (its holder); due in minutes. */
  addTask(
    reference: string,
    title: string,
    owner: string | null,
    dueMinutes: number | null,
  ): Promise<Task>;
  setTaskState(reference: string, task: string, state: TaskState): Promise<TimelineEntry>;
  /** Carries a task on after the incident as a review action item. */
  promoteTask(reference: string, task: string): Promise<ActionItem>;
  /** Rules out, confirms or reopens a hypothesis (a note tagged "hypothesis:"), by entry id. */
  markHypothesis(reference: string, entry: string, state: HypothesisState): Promise<TimelineEntry>;
  /** A channel's Matrix room (empty homeserver: none); the token goes to the secret store. */
  setMatrix(
    channel: Channel,
    homeserver: string,
    roomId: string,
    token: string | null,
  ): Promise<void>;
  setSlack(channel: Channel, slack: SlackTarget | null, token: string | null): Promise<void>;
  setStatuspage(channel: Channel, page: StatuspageTarget | null, key: string | null): Promise<void>;
  setEmail(channel: Channel, email: EmailTarget | null, password: string | null): Promise<void>;
  /** "Publish" through the outbox: sent when the service (null: the channel's default) confirms. */
  queueMessage(
    reference: string,
    id: string,
    target?: PublishTarget | null,
  ): Promise<Communication>;
  /** Hands the message to the desktop's mail client (a mailto: link); the link. */
  openInMailClient(reference: string, id: string): Promise<string>;
  cancelPublication(reference: string, id: string): Promise<Communication>;
  /** What waits in the outbox: attempts, last error, next try. */
  outbox(): Promise<Publication[]>;
  playbooks(): Promise<Playbook[]>;
  savePlaybook(playbook: Playbook): Promise<Playbook>;
  /** Through the save dialog; null when cancelled. */
  exportPlaybooks(): Promise<string | null>;
  /** Through the open dialog; null when cancelled. */
  importPlaybooks(): Promise<Playbook[] | null>;
  /** Posts a test message to a channel's webhook; says where it arrived. */
  testWebhook(channel: Channel): Promise<string>;
  setWebhook(
    channel: Channel,
    url: string,
    format: WebhookFormat,
    timeoutSecs: number,
  ): Promise<ChannelSettings>;
  /** The alert inbox; `all` adds dismissed alerts. */
  listAlerts(all?: boolean): Promise<Alert[]>;
  alertSuggestion(id: string): Promise<AlertSuggestion>;
  declareFromAlert(id: string, input: Declaration): Promise<IncidentRecord>;
  attachAlert(id: string, reference: string): Promise<TimelineEntry>;
  dismissAlert(id: string): Promise<Alert>;
  /** Resolves with the muted sources. */
  muteSource(source: string, muted: boolean): Promise<string[]>;
  intakeStatus(): Promise<IntakeStatus>;
  saveIntakeSettings(settings: IntakeSettings): Promise<IntakeSettings>;
  newIntakeToken(): Promise<string>;
  /** A new-alert notification was clicked. */
  onShowAlerts(handler: () => void): Promise<() => void>;
  /** A notification summing up many overdue deadlines was clicked. */
  onShowBoard(handler: () => void): Promise<() => void>;
  settings(): Promise<AppSettings>;
  saveSettings(settings: AppSettings): Promise<AppSettings>;
  diagnostics(): Promise<Diagnostics>;
  /** Copies the diagnostics to the clipboard (from Rust); resolves with the text. */
  copyDiagnostics(): Promise<string>;
  /** Asks the update server; null when this version is the newest. */
  checkForUpdate(): Promise<UpdateInfo | null>;
  /** What the last check (e.g. at startup) found, without asking the server again. */
  foundUpdate(): Promise<UpdateInfo | null>;
  /** Why automatic backups are failing, or null while they work. */
  backupProblem(): Promise<string | null>;
  onBackupProblem(handler: (problem: string | null) => void): Promise<() => void>;
  /** Downloads and verifies the update found; progress arrives through `onUpdateProgress`. */
  downloadUpdate(): Promise<void>;
  /** Installs the downloaded update; refused with `conflict` while an L1 incident is open. */
  installUpdate(): Promise<void>;
  restartApp(): Promise<void>;
  /** What this launch asked for (`--incident INC-12`, an incident-desk:// link). */
  launchRequest(): Promise<LaunchRequest>;
  /** Team sync: where it stands now, and every change of it. */
  syncStatus(): Promise<SyncStatus>;
  onSyncStatus(handler: (status: SyncStatus) => void): Promise<() => void>;
  onHandoff(handler: (handoff: Handoff) => void): Promise<() => void>;
  teamSettings(): Promise<TeamSettings>;
  /** The incident open in this window (null: the board), told to the team. */
  setViewing(reference: string | null): Promise<void>;
  /** The other laptops heard from lately, and what they have open. */
  presence(): Promise<Presence[]>;
  /** Asks the server first: refused credentials are not saved. The secret goes to the secret store. */
  joinTeamServer(
    team: string,
    connection: TeamConnection,
    secret: string | null,
  ): Promise<SyncStatus>;
  leaveTeamServer(): Promise<void>;
  /** Calls `handler` after every committed change (also other processes'); returns an unsubscribe. */
  onChange(handler: (event: ChangeEvent) => void): Promise<() => void>;
  /** Deadline nudges fired, one scheduler round's at a time (shown in the
   *  window whatever the notification server does). */
  onNudge(handler: (nudges: PendingNudge[]) => void): Promise<() => void>;
  /** The nudges announced before the window listened (at startup: every
   *  deadline already overdue). */
  announcedNudges(): Promise<PendingNudge[]>;
  /** A notification's "Open" asked for an incident. */
  onOpenIncident(handler: (reference: string) => void): Promise<() => void>;
  /** The app was launched again; the running window gets the request. */
  onLaunch(handler: (request: LaunchRequest) => void): Promise<() => void>;
  /** The startup check found a newer version. */
  onUpdateAvailable(handler: (update: UpdateInfo) => void): Promise<() => void>;
  onUpdateProgress(handler: (progress: UpdateProgress) => void): Promise<() => void>;
  /** The tray's "Check for updates…" was chosen. */
  onCheckForUpdates(handler: () => void): Promise<() => void>;
}

/** The events the shell sends (see src-tauri/src/background.rs and scheduler.rs). */
export const CHANGE_EVENT = "desk-change";
export const NUDGE_EVENT = "desk-nudge";
export const OPEN_EVENT = "desk-open-incident";
export const LAUNCH_EVENT = "desk-launch";
export const UPDATE_AVAILABLE_EVENT = "update-available";
export const BACKUP_PROBLEM_EVENT = "backup-problem";
export const UPDATE_PROGRESS_EVENT = "update-progress";
export const CHECK_UPDATES_EVENT = "desk-check-updates";
export const SHOW_ALERTS_EVENT = "desk-show-alerts";
export const SHOW_BOARD_EVENT = "desk-show-board";
export const SYNC_STATUS_EVENT = "sync-status";
export const HANDOFF_EVENT = "sync-handoff";

/** A failed command, with the core's machine-readable code. */
export class BackendError extends Error {
  readonly code: ErrorCode | "ipc";
  /** The input the error is about (e.g. "title"), when the core says so. */
  readonly field: string | undefined;

  constructor(payload: ErrorPayload | { code: "ipc"; message: string }) {
    super(payload.message);
    this.name = "BackendError";
    this.code = payload.code;
    this.field = "field" in payload ? payload.field : undefined;
  }
}

/** Whatever was thrown, as a `BackendError`. */
export function asBackendError(reason: unknown): BackendError {
  return toBackendError(reason);
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
  "publish_failed",
  "io",
  "update_failed",
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
type Listen = <T>(event: string, handler: (payload: T) => void) => Promise<() => void>;

const tauriListen: Listen = <T>(event: string, handler: (payload: T) => void) =>
  listen<T>(event, (message) => handler(message.payload));

export function tauriBackend(call: Invoke = invoke, subscribe: Listen = tauriListen): Backend {
  // set_viewing's order: this page's own id and a counter (see setViewing).
  const page = Math.random().toString(36).slice(2);
  let viewingSeq = 0;
  async function command<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await call<T>(cmd, args);
    } catch (reason) {
      throw toBackendError(reason);
    }
  }
  return {
    appInfo: () => command<AppInfo>("app_info"),
    listIncidents: (view = "open") => command<BoardRow[]>("list_incidents", { view }),
    getIncident: (reference) => command<IncidentDetail>("get_incident", { reference }),
    brief: (reference) => command<Brief>("incident_brief", { reference }),
    copyBrief: (reference, markdown) => command<string>("copy_brief", { reference, markdown }),
    declare: (input) => command<IncidentRecord>("declare_incident", { input }),
    classify: (reference, input) =>
      command<TimelineEntry>("classify_incident", { reference, input }),
    editIncident: (reference, title, summary) =>
      command<TimelineEntry>("edit_incident", { reference, title, summary }),
    setStage: (reference, stage, stageState, reason) =>
      command<TimelineEntry>("set_stage", { reference, stage, stageState, reason }),
    setStatus: (reference, status) => command<TimelineEntry>("set_status", { reference, status }),
    assign: (reference, role, person) =>
      command<TimelineEntry>("assign_role", { reference, role, person }),
    relieve: (reference, role, person) =>
      command<TimelineEntry>("relieve_role", { reference, role, person }),
    addNote: (reference, text, at, corrects) =>
      command<TimelineEntry>("add_note", { reference, text, at, corrects }),
    close: (reference) => command<TimelineEntry>("close_incident", { reference }),
    people: () => command<Person[]>("list_people"),
    levels: () => command<Level[]>("list_levels"),
    policies: () => command<Policy[]>("list_policies"),
    setPolicy: (level, key, value) => command<Policy>("set_policy", { level, key, value }),
    snooze: (reference, key, minutes) =>
      command<TimelineEntry>("snooze", { reference, key, minutes }),
    setApproval: (level, required) => command<Policy>("set_approval", { level, required }),
    fillTemplate: (reference, channel, segment, template) =>
      command<FilledTemplate>("fill_template", { reference, channel, segment, template }),
    draftMessage: (reference, request) =>
      command<Communication>("draft_message", { reference, request }),
    editMessage: (reference, id, body, subject) =>
      command<Communication>("edit_message", { reference, id, body, subject }),
    approveMessage: (reference, id) => command<Communication>("approve_message", { reference, id }),
    sendMessage: (reference, id) => command<Communication>("send_message", { reference, id }),
    discardMessage: (reference, id) => command<Communication>("discard_message", { reference, id }),
    publishMessage: (reference, id) => command<Communication>("publish_message", { reference, id }),
    copyMessage: (reference, id) => command<string>("copy_message", { reference, id }),
    measureMessage: (channel, text) => command<MessageLength>("measure_message", { channel, text }),
    templates: () => command<Template[]>("list_templates"),
    saveTemplate: (template) => command<Template>("save_template", { template }),
    deleteTemplate: (name) => command<void>("delete_template", { name }),
    channelSettings: () => command<ChannelSettings[]>("channel_settings"),
    updateReview: (reference, field, text) =>
      command<TimelineEntry>("update_review", { reference, field, text }),
    addActionItem: (reference, title, owner, due) =>
      command<ActionItem>("add_action_item", { reference, title, owner, due }),
    editActionItem: (reference, id, title, owner, due) =>
      command<TimelineEntry>("edit_action_item", { reference, id, title, owner, due }),
    setActionItemState: (reference, id, itemState) =>
      command<TimelineEntry>("set_action_item_state", { reference, id, itemState }),
    markCheck: (reference, item, checkState) =>
      command<TimelineEntry>("mark_check", { reference, item, checkState }),
    addTask: (reference, title, owner, dueMinutes) =>
      command<Task>("add_task", { reference, title, owner, dueMinutes }),
    setTaskState: (reference, task, taskState) =>
      command<TimelineEntry>("set_task_state", { reference, task, taskState }),
    promoteTask: (reference, task) => command<ActionItem>("promote_task", { reference, task }),
    markHypothesis: (reference, entry, hypothesisState) =>
      command<TimelineEntry>("mark_hypothesis", { reference, entry, hypothesisState }),
    setMatrix: (channel, homeserver, roomId, token) =>
      command<void>("set_matrix", { channel, homeserver, roomId, token }),
    setSlack: (channel, slack, token) => command<void>("set_slack", { channel, slack, token }),
    setStatuspage: (channel, page, key) => command<void>("set_statuspage", { channel, page, key }),
    setEmail: (channel, email, password) =>
      command<void>("set_email", { channel, email, password }),
    queueMessage: (reference, id, target = null) =>
      command<Communication>("queue_message", { reference, id, target }),
    openInMailClient: (reference, id) => command<string>("open_in_mail_client", { reference, id }),
    cancelPublication: (reference, id) =>
      command<Communication>("cancel_publication", { reference, id }),
    outbox: () => command<Publication[]>("outbox"),
    playbooks: () => command<Playbook[]>("list_playbooks"),
    savePlaybook: (playbook) => command<Playbook>("save_playbook", { playbook }),
    exportPlaybooks: () => command<string | null>("export_playbooks"),
    importPlaybooks: () => command<Playbook[] | null>("import_playbooks"),
    exportReview: (reference, format) =>
      command<string | null>("export_review", { reference, format }),
    testWebhook: (channel) => command<string>("test_webhook", { channel }),
    setWebhook: (channel, url, format, timeoutSecs) =>
      command<ChannelSettings>("set_webhook", { channel, url, format, timeoutSecs }),
    listAlerts: (all = false) => command<Alert[]>("list_alerts", { all }),
    alertSuggestion: (id) => command<AlertSuggestion>("alert_suggestion", { id }),
    declareFromAlert: (id, input) => command<IncidentRecord>("declare_from_alert", { id, input }),
    attachAlert: (id, reference) => command<TimelineEntry>("attach_alert", { id, reference }),
    dismissAlert: (id) => command<Alert>("dismiss_alert", { id }),
    muteSource: (source, muted) => command<string[]>("mute_source", { source, muted }),
    intakeStatus: () => command<IntakeStatus>("intake_status"),
    saveIntakeSettings: (settings) => command<IntakeSettings>("save_intake_settings", { settings }),
    newIntakeToken: () => command<string>("new_intake_token"),
    onShowAlerts: (handler) => subscribe<null>(SHOW_ALERTS_EVENT, () => handler()),
    onShowBoard: (handler) => subscribe<null>(SHOW_BOARD_EVENT, () => handler()),
    settings: () => command<AppSettings>("get_settings"),
    saveSettings: (settings) => command<AppSettings>("save_settings", { settings }),
    diagnostics: () => command<Diagnostics>("diagnostics"),
    copyDiagnostics: () => command<string>("copy_diagnostics"),
    checkForUpdate: () => command<UpdateInfo | null>("check_for_update"),
    foundUpdate: () => command<UpdateInfo | null>("found_update"),
    backupProblem: () => command<string | null>("backup_problem"),
    announcedNudges: () => command<PendingNudge[]>("announced_nudges"),
    onBackupProblem: (handler) => subscribe<string | null>(BACKUP_PROBLEM_EVENT, handler),
    downloadUpdate: () => command<void>("download_update"),
    installUpdate: () => command<void>("install_update"),
    restartApp: () => command<void>("restart_app"),
    launchRequest: () => command<LaunchRequest>("launch_request"),
    syncStatus: () => command<SyncStatus>("sync_status"),
    onSyncStatus: (handler) => subscribe<SyncStatus>(SYNC_STATUS_EVENT, handler),
    onHandoff: (handler) => subscribe<Handoff>(HANDOFF_EVENT, handler),
    teamSettings: () => command<TeamSettings>("team_settings"),
    // Numbered: two quick calls (leave one room, open the next) may be run
    // out of order; the shell keeps the newest.
    setViewing: (reference) => command<void>("set_viewing", { reference, page, seq: ++viewingSeq }),
    presence: () => command<Presence[]>("presence"),
    joinTeamServer: (team, connection, secret) =>
      command<SyncStatus>("join_team_server", { request: { team, connection, secret } }),
    leaveTeamServer: () => command<void>("leave_team_server"),
    onChange: (handler) => subscribe<ChangeEvent>(CHANGE_EVENT, handler),
    onNudge: (handler) => subscribe<PendingNudge[]>(NUDGE_EVENT, handler),
    onOpenIncident: (handler) => subscribe<string>(OPEN_EVENT, handler),
    onLaunch: (handler) => subscribe<LaunchRequest>(LAUNCH_EVENT, handler),
    onUpdateAvailable: (handler) => subscribe<UpdateInfo>(UPDATE_AVAILABLE_EVENT, handler),
    onUpdateProgress: (handler) => subscribe<UpdateProgress>(UPDATE_PROGRESS_EVENT, handler),
    onCheckForUpdates: (handler) => subscribe<null>(CHECK_UPDATES_EVENT, () => handler()),
  };
}
