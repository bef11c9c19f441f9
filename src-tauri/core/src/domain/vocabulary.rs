//! The product's vocabulary (DESIGN.md §1) as closed enums: incident kinds,
//! public statuses, sources, stages and their states, roles, channels.
//! Each parses from its snake_case name with an error that lists the valid
//! names, and serializes to the same name.

use crate::error::DeskError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in the product's canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What the value names, for error messages ("incident kind").
            pub const WHAT: &'static str = $what;

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The valid names, comma-separated, for error messages.
            pub fn names() -> String {
                $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = DeskError;
            fn from_str(text: &str) -> Result<Self, DeskError> {
                let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| DeskError::UnknownName {
                        what: $what,
                        given: text.to_owned(),
                        valid: $name::names(),
                    })
            }
        }
    };
}

vocabulary! {
    /// What kind of incident this is.
    IncidentKind, "incident kind" {
        /// A key service stops working.
        Outage => "outage",
        /// The service works, but not as well as it should.
        Degradation => "degradation",
        /// A threat to the safety of systems or data.
        Security => "security",
        /// Problems reported by many users that may not be a systemic failure.
        UserIssue => "user_issue",
    }
}

vocabulary! {
    /// What users are told (the status-page convention).
    PublicStatus, "public status" {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
    }
}

vocabulary! {
    /// How the incident was noticed.
    Source, "source" {
        Monitoring => "monitoring",
        Synthetic => "synthetic",
        UserReport => "user_report",
        Internal => "internal",
    }
}

vocabulary! {
    /// The seven stages of incident response. They do not always happen in this order.
    Stage, "stage" {
        Identify => "identify",
        Classify => "classify",
        Communicate => "communicate",
        Remediate => "remediate",
        Diagnose => "diagnose",
        Repair => "repair",
        Review => "review",
    }
}

vocabulary! {
    /// Where a stage is.
    StageState, "stage state" {
        Pending => "pending",
        Active => "active",
        Done => "done",
        /// Not needed for this incident; a reason is required.
        Skipped => "skipped",
        /// Moved to a follow-up action item.
        Deferred => "deferred",
    }
}

vocabulary! {
    /// Roles in the incident team.
    Role, "role" {
        Commander => "commander",
        Deputy => "deputy",
        Scribe => "scribe",
        /// The communications lead (liaison).
        Communications => "communications",
        Operations => "operations",
        /// Subject-matter experts: several at once.
        Expert => "expert",
        /// The support/sales contact.
        Support => "support",
    }
}

vocabulary! {
    /// Audience and channel of a communication.
    Channel, "channel" {
        StatusPage => "status_page",
        Social => "social",
        Email => "email",
        Internal => "internal",
        Support => "support",
    }
}

vocabulary! {
    /// Where a communication is in its life.
    CommunicationState, "communication state" {
        Draft => "draft",
        Approved => "approved",
        Sent => "sent",
        Discarded => "discarded",
    }
}

vocabulary! {
    /// Where an action item is.
    ActionState, "action item state" {
        Open => "open",
        Done => "done",
        Dropped => "dropped",
    }
}

vocabulary! {
    /// A service a message is published to through the outbox.
    PublishTarget, "publishing service" {
        Webhook => "webhook",
        Matrix => "matrix",
        Slack => "slack",
        Statuspage => "statuspage",
        Email => "email",
    }
}

vocabulary! {
    /// Where a playbook checklist item is: ticked as done, or skipped on
    /// purpose (both settle it; a later entry can reopen it).
    CheckState, "checklist state" {
        Open => "open",
        Done => "done",
        Skipped => "skipped",
    }
}

vocabulary! {
    /// Where a live task of the incident is.
    TaskState, "task state" {
        Open => "open",
        Done => "done",
        Dropped => "dropped",
    }
}

vocabulary! {
    /// What became of a hypothesis noted by the scribe.
    HypothesisState, "hypothesis state" {
        Open => "open",
        RuledOut => "ruled_out",
        Confirmed => "confirmed",
    }
}

vocabulary! {
    /// The written parts of a review.
    ReviewField, "review field" {
        Summary => "summary",
        Impact => "impact",
        RootCause => "root_cause",
        ContributingFactors => "contributing_factors",
        WentWell => "went_well",
        WentBadly => "went_badly",
        /// Where we got lucky.
        Lucky => "lucky",
    }
}

impl StageState {
    /// Done, skipped or deferred: nothing left to do in this incident.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            StageState::Done | StageState::Skipped | StageState::Deferred
        )
    }
}

impl Role {
    /// Roles held by one person at a time (assigning hands the role off).
    pub fn is_single_holder(self) -> bool {
        self != Role::Expert
    }

    /// How the role reads in a sentence ("Sam is communications lead").
    pub fn title(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Deputy => "deputy",
            Role::Scribe => "scribe",
            Role::Communications => "communications lead",
            Role::Operations => "operations lead",
            Role::Expert => "subject-matter expert",
            Role::Support => "support/sales contact",
        }
    }
}

impl Channel {
    /// Channels that reach users (they count for "time to first update").
    pub fn is_public(self) -> bool {
        matches!(self, Channel::StatusPage | Channel::Social | Channel::Email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_parse_display_and_serde() -> Result<(), Box<dyn std::error::Error>>
    {
        for stage in Stage::ALL {
            assert_eq!(stage.as_str().parse::<Stage>()?, *stage);
            assert_eq!(serde_json::to_value(stage)?, stage.as_str());
        }
        for kind in IncidentKind::ALL {
            assert_eq!(kind.to_string().parse::<IncidentKind>()?, *kind);
        }
        assert_eq!(
            "User-Issue".parse::<IncidentKind>()?,
            IncidentKind::UserIssue
        );
        Ok(())
    }

    #[test]
    fn an_unknown_name_lists_the_valid_ones() {
        let error = "meltdown"
            .parse::<IncidentKind>()
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "unknown incident kind \"meltdown\": expected one of outage, degradation, security, user_issue"
            )
        );
    }
}

vocabulary! {
    /// How loud an alert is, as the alerting tool put it.
    Severity, "alert severity" {
        Critical => "critical",
        Warning => "warning",
        Info => "info",
    }
}
