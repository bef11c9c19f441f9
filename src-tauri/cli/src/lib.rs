//! `idesk`: Incident Desk from a terminal or a script, on the same database
//! as the app. Human text by default, one JSON document on stdout with
//! `--json`; errors go to stderr with exit code 1 (2 for usage errors).
//!
//! A library, so that the app's own binary can also be `idesk` (the
//! package installs `idesk` as a link to it: one copy of the PDF renderer).

mod alerts;
mod commands;
mod outbox;
mod output;
mod playbooks;
mod team;
mod terminal;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "idesk",
    version,
    about = "Incident Desk on the command line",
    long_about = "Incident Desk on the command line. Works on the same database as the app \
                  ($INCIDENT_DESK_DB or the app's default), without a display.\n\n\
                  REF is INC-<n> or an incident id. Times are RFC 3339 (2026-11-30T14:32:00Z).\n\
                  kinds: outage, degradation, security, user_issue\n\
                  stages: identify, classify, communicate, remediate, diagnose, repair, review\n\
                  stage states: pending, active, done, skipped, deferred\n\
                  statuses: investigating, identified, monitoring, resolved\n\
                  roles: commander, deputy, scribe, communications, operations, expert, support\n\
                  channels: status_page, social, email, internal, support"
)]
pub struct Cli {
    /// Database file (default: $INCIDENT_DESK_DB, else the app's database).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// When it happened (RFC 3339), to back-date what this command records.
    #[arg(long, global = true, value_name = "TIME")]
    pub at: Option<String>,

    /// Who records it (default: $INCIDENT_DESK_AUTHOR, else your login name).
    #[arg(long, global = true, value_name = "NAME")]
    pub author: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Declare a new incident.
    Declare(DeclareArgs),
    /// List open incidents (all with --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Show everything about an incident, with its metrics.
    Show { reference: String },
    /// A catch-up brief for someone joining or taking over: short enough to
    /// read aloud; --markdown to paste into a chat.
    Brief {
        reference: String,
        #[arg(long)]
        markdown: bool,
    },
    /// Change kind, level or scope.
    Classify(ClassifyArgs),
    /// Change the title or summary.
    Edit {
        reference: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        summary: Option<String>,
    },
    /// Move a stage to a state, in any order.
    Stage {
        reference: String,
        stage: String,
        state: String,
        /// Why it is skipped, or the follow-up it is deferred to.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Set the public status.
    Status { reference: String, status: String },
    /// Give a role to a person (added to the directory when new); hands the role off.
    Assign {
        reference: String,
        role: String,
        person: String,
    },
    /// Relieve the holder of a role (name the person when several hold it).
    Relieve {
        reference: String,
        role: String,
        person: Option<String>,
    },
    /// Add a note to the timeline (a correction with --corrects N).
    Note {
        reference: String,
        text: String,
        /// The number of the entry this note corrects.
        #[arg(long, value_name = "N")]
        corrects: Option<i64>,
    },
    /// Messages to users and stakeholders.
    #[command(subcommand)]
    Comms(CommsCommand),
    /// Write a part of the review.
    Review {
        reference: String,
        /// summary, impact, root_cause, contributing_factors, went_well, went_badly, lucky
        #[arg(long)]
        field: String,
        #[arg(long)]
        text: String,
    },
    /// Action items.
    #[command(subcommand)]
    Action(ActionCommand),
    /// Live tasks handed out during the incident (not the review's action items).
    #[command(subcommand)]
    Task(TaskCommand),
    /// The incident's playbook checklist, numbered, with each item's mark.
    Checklist { reference: String },
    /// Tick a checklist item as done (ITEM: its number or key); --skip or --reopen instead.
    Check {
        reference: String,
        item: String,
        #[arg(long, conflicts_with = "reopen")]
        skip: bool,
        #[arg(long)]
        reopen: bool,
    },
    /// Mark a hypothesis (a note that starts with "hypothesis:"; ENTRY: its number):
    /// ruled_out, confirmed or open.
    Hypothesis {
        reference: String,
        entry: String,
        state: String,
    },
    /// The playbooks: a checklist per incident kind and level.
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// Close an incident (every stage must be done, skipped or deferred).
    Close { reference: String },
    /// Export an incident: the review report as PDF (--pdf -o FILE), Markdown (--md), or the JSON
    /// document that imports elsewhere (--json).
    Export {
        reference: String,
        #[arg(long, conflicts_with = "pdf")]
        md: bool,
        #[arg(long)]
        pdf: bool,
        /// Write to this file instead of stdout.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Import an incident from its JSON export.
    Import { file: PathBuf },
    /// The people directory.
    People {
        #[command(subcommand)]
        command: Option<PeopleCommand>,
    },
    /// Severity levels.
    Levels {
        #[command(subcommand)]
        command: Option<LevelCommand>,
    },
    /// Deadline policies per level.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Deadlines of one incident, or of every open incident.
    Deadlines { reference: Option<String> },
    /// Snooze an overdue deadline's nudge (KEY from `idesk deadlines`, e.g. first_update).
    Snooze {
        reference: String,
        key: String,
        /// For how long: 5m, 15m, 30m, …
        duration: String,
    },
    /// Back up the database now (to the backups folder, or --to FILE).
    Backup {
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
    },
    /// List the automatic backups, newest first.
    Backups,
    /// Replace the database's contents with a backup (the current state is backed up first).
    Restore { file: PathBuf },
    /// Send an alert to the inbox (for scripts and cron jobs); repeats with the same
    /// fingerprint are grouped, --resolved resolves it.
    Alert(AlertArgs),
    /// The alert inbox (resolved alerts marked; --all adds dismissed ones).
    Alerts {
        #[arg(long)]
        all: bool,
        #[command(subcommand)]
        command: Option<AlertsCommand>,
    },
    /// The local webhook receiver for monitoring tools (the open app follows within a second).
    #[command(subcommand)]
    Intake(IntakeCommand),
    /// Carry entries between laptops in a file (a USB stick, an air-gapped hand-off).
    #[command(subcommand)]
    Sync(SyncCommand),
    /// This laptop in a team: its server, node id and tag, and whether sync
    /// works now (`idesk team join URL --team NAME` to join one).
    Team {
        #[command(subcommand)]
        command: Option<TeamCommand>,
    },
}

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Write this database's entries (after --since CURSOR, else all) to a file;
    /// prints the cursor to give next time.
    Export {
        #[arg(long, value_name = "CURSOR")]
        since: Option<i64>,
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Apply an entries file written by `idesk sync export` on another laptop
    /// (entries already here are skipped; conflicts are shown, nothing is dropped).
    Apply { file: PathBuf },
}

#[derive(Subcommand)]
pub enum TeamCommand {
    /// Join a team: references minted here carry this laptop's tag, and with
    /// a server URL the app syncs every entry through it (NATS JetStream).
    /// Secrets are read from a file or standard input, never the command
    /// line, and kept in the desktop's secret store.
    Join(JoinArgs),
    /// Where this laptop stands: team, server, entries waiting, and one
    /// connection attempt now (connected, offline, or credentials refused).
    Status,
    /// Stop syncing and forget the secret; the entries and references stay.
    Leave,
}

#[derive(Args)]
pub struct JoinArgs {
    /// The team's NATS server: nats://host:4222 or tls://host:4222. Without
    /// it, only references change (entries travel by `idesk sync` files).
    pub url: Option<String>,
    /// The team's name (the same on every laptop of the team).
    #[arg(long)]
    pub team: String,
    /// Your user name on the server (default: your login name).
    #[arg(long)]
    pub user: Option<String>,
    /// Read the password from standard input (one line).
    #[arg(long, conflicts_with_all = ["token_stdin", "nkey_file", "creds"])]
    pub password_stdin: bool,
    /// Read a token from standard input (one line).
    #[arg(long, conflicts_with_all = ["nkey_file", "creds"])]
    pub token_stdin: bool,
    /// A file holding your nkey seed (SU…).
    #[arg(long, value_name = "FILE", conflicts_with = "creds")]
    pub nkey_file: Option<PathBuf>,
    /// Your .creds file (user JWT and nkey seed); its content is stored, so
    /// the file can be deleted afterwards.
    #[arg(long, value_name = "FILE")]
    pub creds: Option<PathBuf>,
    /// A CA certificate (PEM) the server's certificate must chain to.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
}

#[derive(Args)]
pub struct AlertArgs {
    /// Who raises it (a tool or script name); notifications can be muted per source.
    #[arg(long)]
    pub source: String,
    #[arg(long)]
    pub service: String,
    #[arg(long)]
    pub summary: String,
    /// critical, warning (default) or info.
    #[arg(long, default_value = "warning")]
    pub severity: String,
    /// Alerts with the same source and fingerprint are one alert (default: service + summary).
    #[arg(long)]
    pub fingerprint: Option<String>,
    /// Where to look (http or https).
    #[arg(long)]
    pub link: Option<String>,
    /// When the problem started (default: now).
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,
    /// From a synthetic check (a robot user) rather than monitoring.
    #[arg(long)]
    pub synthetic: bool,
    /// It reports a deploy or change (from CI): attached to an incident, the
    /// room offers rolling it back first.
    #[arg(long)]
    pub change: bool,
    /// The problem is over.
    #[arg(long)]
    pub resolved: bool,
}

#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Declare an incident from an alert (title, kind, level, start suggested from it).
    Declare {
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        level: Option<String>,
    },
    /// Attach an alert to an open incident (it goes on the incident's timeline).
    Attach {
        id: String,
        reference: String,
    },
    /// Take an alert off the inbox (it comes back if it fires again).
    Dismiss {
        id: String,
    },
    /// No desktop notifications for this source's alerts (they still reach the inbox).
    Mute {
        source: String,
    },
    Unmute {
        source: String,
    },
}

#[derive(Subcommand)]
pub enum IntakeCommand {
    /// Show the receiver's settings and the addresses to give your tools.
    Show,
    /// Switch the receiver on.
    Enable {
        #[arg(long)]
        port: Option<u16>,
        /// The secret the tools send (default: the stored one, made at first use).
        #[arg(long)]
        token: Option<String>,
        /// Listen on another address than 127.0.0.1 (reachable from other machines!).
        #[arg(long)]
        address: Option<String>,
    },
    /// Switch the receiver off.
    Disable,
}

#[derive(Args)]
pub struct DeclareArgs {
    #[arg(long)]
    pub title: String,
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub level: String,
    /// monitoring, synthetic, user_report or internal (default).
    #[arg(long)]
    pub source: Option<String>,
    /// Impact start (default: the detection time).
    #[arg(long, value_name = "TIME")]
    pub started_at: Option<String>,
    /// Detection time (default: now, or --at).
    #[arg(long, value_name = "TIME")]
    pub detected_at: Option<String>,
    #[arg(long)]
    pub summary: Option<String>,
}

#[derive(Args)]
pub struct ClassifyArgs {
    pub reference: String,
    #[arg(long)]
    pub kind: Option<String>,
    #[arg(long)]
    pub level: Option<String>,
    /// An affected service (repeat for several); replaces the list.
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    /// Clear the list of affected services.
    #[arg(long, conflicts_with = "services")]
    pub no_services: bool,
    /// Affected users, segment or region.
    #[arg(long)]
    pub segment: Option<String>,
    /// Customer-facing (or --customer-facing=false).
    #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub customer_facing: Option<bool>,
}

#[derive(Subcommand)]
pub enum CommsCommand {
    /// Save a draft and print it: the given --body, or a template filled
    /// with the incident's facts. Prints the draft's id first.
    Draft {
        reference: String,
        #[arg(long)]
        channel: String,
        #[arg(long)]
        body: Option<String>,
        /// Email subject (default: the template's).
        #[arg(long)]
        subject: Option<String>,
        /// A template by name (default: the channel's, for the current status).
        #[arg(long)]
        template: Option<String>,
        /// Targeted subset of users, e.g. "EU customers on plan X".
        #[arg(long, default_value = "")]
        segment: String,
    },
    /// Change a draft's text.
    Edit {
        reference: String,
        id: String,
        #[arg(long)]
        body: String,
        #[arg(long)]
        subject: Option<String>,
    },
    /// Mark a draft sent, or record a message sent elsewhere (--channel and --body).
    Send {
        reference: String,
        /// The draft to mark sent.
        id: Option<String>,
        #[arg(long, requires = "body", conflicts_with = "id")]
        channel: Option<String>,
        #[arg(long, requires = "channel")]
        body: Option<String>,
        #[arg(long, default_value = "")]
        segment: String,
    },
    /// Post a draft to its channel's webhook; marked sent only if accepted.
    Publish { reference: String, id: String },
    /// Approve a draft (as the commander).
    Approve { reference: String, id: String },
    /// Discard a draft.
    Discard { reference: String, id: String },
    /// Print a message as it would be copied (email with its subject line).
    Text { reference: String, id: String },
    /// List an incident's messages.
    List { reference: String },
    /// List the templates, with the placeholders they can use.
    Templates,
    /// Add or replace a template.
    Template {
        name: String,
        #[arg(long)]
        channel: String,
        /// investigating, identified, monitoring or resolved (default: any).
        #[arg(long)]
        status: Option<String>,
        /// The wording for security incidents.
        #[arg(long)]
        security: bool,
        #[arg(long, default_value = "")]
        subject: String,
        #[arg(long)]
        body: String,
    },
    /// Set a channel's webhook (URL or "off").
    Webhook {
        channel: String,
        url: String,
        /// slack or json.
        #[arg(long, default_value = "json")]
        format: String,
        #[arg(long, default_value_t = 10)]
        timeout: i64,
    },
    /// The channels' publishing settings (webhook addresses masked).
    Channels,
    /// Publish through the outbox: the message waits until the service
    /// (without --to, the channel's default) confirms; retried with backoff.
    Queue {
        reference: String,
        id: String,
        /// statuspage, slack, matrix, email or webhook.
        #[arg(long)]
        to: Option<String>,
    },
    /// Print the mailto: link that hands a message to your mail client
    /// (recipients from the email lists, subject, body).
    Mailto { reference: String, id: String },
    /// Take a message out of the outbox before it is out.
    Cancel { reference: String, id: String },
    /// What waits in the outbox: attempts, last error, next try.
    Outbox,
    /// Deliver what is due now (the open app does this by itself).
    Deliver,
    /// A channel's Matrix room (the access token from stdin goes to the
    /// desktop's secret store); --off removes it.
    Matrix {
        channel: String,
        #[arg(long, required_unless_present = "off")]
        homeserver: Option<String>,
        /// The room id (!…), Room settings → Advanced.
        #[arg(long, required_unless_present = "off")]
        room: Option<String>,
        #[arg(long)]
        token_stdin: bool,
        #[arg(long, conflicts_with_all = ["homeserver", "room", "token_stdin"])]
        off: bool,
    },
    /// A channel's Slack channel, posted to with a bot token (from stdin, to
    /// the desktop's secret store); --off removes it.
    Slack {
        channel: String,
        /// The channel id (C0123ABCD), channel details → About.
        #[arg(long, required_unless_present = "off")]
        channel_id: Option<String>,
        /// Also show thread replies in the channel.
        #[arg(long)]
        broadcast: bool,
        /// The Web API's address, when not Slack's own.
        #[arg(long)]
        api: Option<String>,
        #[arg(long)]
        token_stdin: bool,
        #[arg(long, conflicts_with_all = ["channel_id", "broadcast", "api", "token_stdin"])]
        off: bool,
    },
    /// A channel's Statuspage page, updated with an API key (from stdin, to
    /// the desktop's secret store); --off removes it.
    Statuspage {
        channel: String,
        #[arg(long, required_unless_present = "off")]
        page: Option<String>,
        /// SERVICE=COMPONENT_ID: an affected service shown as a component
        /// (repeat for each).
        #[arg(long = "component")]
        components: Vec<String>,
        /// The API's address, when not Statuspage's own.
        #[arg(long)]
        api: Option<String>,
        #[arg(long)]
        key_stdin: bool,
        #[arg(long, conflicts_with_all = ["page", "components", "api", "key_stdin"])]
        off: bool,
    },
    /// A channel's mail server and recipient lists, from a JSON file
    /// (docs/publishing.md); the SMTP password from stdin goes to the
    /// desktop's secret store; --off removes it.
    Email {
        channel: String,
        #[arg(long, required_unless_present = "off")]
        settings: Option<std::path::PathBuf>,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, conflicts_with_all = ["settings", "password_stdin"])]
        off: bool,
    },
}

#[derive(Subcommand)]
pub enum ActionCommand {
    /// Add an action item.
    Add {
        reference: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        owner: Option<String>,
        /// Due date, YYYY-MM-DD.
        #[arg(long)]
        due: Option<String>,
    },
    /// Set an action item's state: open, done or dropped (ID: its id, id prefix or position).
    Set {
        reference: String,
        id: String,
        state: String,
    },
    /// Change an action item's title, owner or due date ("none" clears owner or due).
    Edit {
        reference: String,
        id: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        due: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TaskCommand {
    /// Hand out a task: --owner a person or a role (operations, ops lead…: its holder).
    Add {
        reference: String,
        title: String,
        #[arg(long)]
        owner: Option<String>,
        /// When it is due: in a span (30m, 2h) or at a time (RFC 3339).
        #[arg(long)]
        due: Option<String>,
    },
    /// Mark a task done (TASK: its number in `idesk task list`, or id prefix).
    Done { reference: String, task: String },
    /// Drop a task that is no longer needed.
    Drop { reference: String, task: String },
    /// Open a done or dropped task again.
    Reopen { reference: String, task: String },
    /// Carry a task on after the incident as a review action item.
    Promote { reference: String, task: String },
    /// The incident's tasks, numbered.
    List { reference: String },
}

#[derive(Subcommand)]
pub enum PlaybookCommand {
    /// The items of every playbook, or of one kind (and level).
    Show {
        kind: Option<String>,
        level: Option<String>,
    },
    /// Write every playbook to a file (to share with the team or keep).
    Export {
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Replace the playbooks a file holds (others stay); a bad file changes nothing.
    Import { file: PathBuf },
}

#[derive(Subcommand)]
pub enum PolicyCommand {
    /// Show the policy of one level, or of every level.
    Show { level: Option<String> },
    /// Set one value: KEY is classify, first_update, update_every, remediate,
    /// review or stalled, with a DURATION of 90s, 15m, 2h, 3d, 5wd (working
    /// days) or off; or approval, with on or off.
    Set {
        level: String,
        key: String,
        duration: String,
    },
}

#[derive(Subcommand)]
pub enum PeopleCommand {
    /// Add a person or update their details.
    Add {
        name: String,
        #[arg(long, default_value = "")]
        handle: String,
        #[arg(long, default_value = "")]
        contact: String,
        #[arg(long, default_value = "")]
        team: String,
    },
}

#[derive(Subcommand)]
pub enum LevelCommand {
    /// Add a level below the existing ones.
    Add {
        name: String,
        #[arg(long)]
        description: String,
    },
    /// The roles a level expects filled (an unfilled one shows on the board):
    /// `idesk levels expect L1 commander communications scribe`; no role
    /// expects none; without roles after --show, prints them.
    Expect {
        level: String,
        roles: Vec<String>,
        #[arg(long)]
        show: bool,
    },
}

/// Runs `idesk` with `args` (the first one is the program name).
pub fn main_with<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::parse_from(args);
    match commands::run(cli) {
        Ok(()) | Err(commands::CliError::OutputClosed) => ExitCode::SUCCESS,
        Err(error) => {
            terminal::warn(&format!("idesk: {error}"));
            ExitCode::from(1)
        }
    }
}
