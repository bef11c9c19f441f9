//! TypeScript bindings for every type that crosses the IPC boundary,
//! generated from the Rust types so the two sides cannot drift.
//! The generated file is committed (`ui/src/lib/bindings.ts`); a test fails
//! when it is stale, and `make bindings` rewrites it.

use crate::desk::CredentialKind;
use crate::desk::{
    Alert, AlertReceipt, ApplyReport, ChannelSettings, Classification, Declaration, DraftRequest,
    FilledTemplate, IncidentDeadlines, IncidentExport, PendingNudge, Publication, RemoteEntry,
    TeamConnection, TeamInfo,
};
use crate::domain::*;
use crate::error::{ErrorCode, ErrorPayload};
use crate::intake::{IntakeSettings, IntakeStatus, ReceiverStats};
use crate::launch::LaunchRequest;
use crate::model::*;
use crate::publish::WebhookFormat;
use crate::services::{
    ComponentMapping, EmailTarget, RecipientList, SlackTarget, SmtpSecurity, SmtpServer,
    StatuspageTarget,
};
use crate::time::Timestamp;
use ts_rs::{Config, TS};

/// The complete contents of `ui/src/lib/bindings.ts`.
pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let declarations = [
        ErrorCode::decl(&cfg),
        ErrorPayload::decl(&cfg),
        LaunchRequest::decl(&cfg),
        Timestamp::decl(&cfg),
        IncidentKind::decl(&cfg),
        PublicStatus::decl(&cfg),
        Source::decl(&cfg),
        Stage::decl(&cfg),
        StageState::decl(&cfg),
        Role::decl(&cfg),
        Channel::decl(&cfg),
        CommunicationState::decl(&cfg),
        ActionState::decl(&cfg),
        ReviewField::decl(&cfg),
        Scope::decl(&cfg),
        StageRecord::decl(&cfg),
        Stages::decl(&cfg),
        RoleAssignment::decl(&cfg),
        Communication::decl(&cfg),
        Review::decl(&cfg),
        ActionItem::decl(&cfg),
        IncidentRecord::decl(&cfg),
        Change::decl(&cfg),
        EntryKind::decl(&cfg),
        TimelineEntry::decl(&cfg),
        ConflictNote::decl(&cfg),
        Span::decl(&cfg),
        PolicyKey::decl(&cfg),
        Policy::decl(&cfg),
        DeadlineState::decl(&cfg),
        Deadline::decl(&cfg),
        IncidentDeadlines::decl(&cfg),
        PendingNudge::decl(&cfg),
        Template::decl(&cfg),
        DraftRequest::decl(&cfg),
        FilledTemplate::decl(&cfg),
        WebhookFormat::decl(&cfg),
        ChannelSettings::decl(&cfg),
        MessageLength::decl(&cfg),
        StageSpan::decl(&cfg),
        KeyMoment::decl(&cfg),
        StageBrief::decl(&cfg),
        BoardView::decl(&cfg),
        BoardRow::decl(&cfg),
        Metrics::decl(&cfg),
        IncidentDetail::decl(&cfg),
        StageGuidance::decl(&cfg),
        Brief::decl(&cfg),
        PublishTarget::decl(&cfg),
        SlackTarget::decl(&cfg),
        StatuspageTarget::decl(&cfg),
        ComponentMapping::decl(&cfg),
        EmailTarget::decl(&cfg),
        SmtpServer::decl(&cfg),
        SmtpSecurity::decl(&cfg),
        RecipientList::decl(&cfg),
        crate::publish::MatrixRoom::decl(&cfg),
        Publication::decl(&cfg),
        CheckState::decl(&cfg),
        TaskState::decl(&cfg),
        HypothesisState::decl(&cfg),
        PlaybookItem::decl(&cfg),
        Playbook::decl(&cfg),
        CheckMark::decl(&cfg),
        Task::decl(&cfg),
        HypothesisMark::decl(&cfg),
        ChecklistLine::decl(&cfg),
        Hypothesis::decl(&cfg),
        Progress::decl(&cfg),
        Prompt::decl(&cfg),
        Person::decl(&cfg),
        Level::decl(&cfg),
        AppInfo::decl(&cfg),
        AppSettings::decl(&cfg),
        UpdateInfo::decl(&cfg),
        UpdateProgress::decl(&cfg),
        Diagnostics::decl(&cfg),
        ChangeEvent::decl(&cfg),
        Declaration::decl(&cfg),
        Classification::decl(&cfg),
        IncidentExport::decl(&cfg),
        RemoteEntry::decl(&cfg),
        ApplyReport::decl(&cfg),
        TeamInfo::decl(&cfg),
        TeamConnection::decl(&cfg),
        CredentialKind::decl(&cfg),
        SyncStatus::decl(&cfg),
        SyncState::decl(&cfg),
        Presence::decl(&cfg),
        Severity::decl(&cfg),
        AlertInput::decl(&cfg),
        Alert::decl(&cfg),
        AlertReceipt::decl(&cfg),
        AlertSuggestion::decl(&cfg),
        IntakeSettings::decl(&cfg),
        ReceiverStats::decl(&cfg),
        IntakeStatus::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types in src-tauri/core by `make bindings`. Do not edit.\n",
    );
    for declaration in declarations {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts")
    }

    #[test]
    fn committed_typescript_bindings_are_up_to_date() -> std::io::Result<()> {
        let generated = super::typescript();
        let path = committed_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated)?;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "ui/src/lib/bindings.ts is stale: run `make bindings` and commit the result"
        );
        Ok(())
    }
}
