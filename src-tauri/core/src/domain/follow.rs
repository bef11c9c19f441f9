//! Stages that follow the record: when an entry shows a stage's work
//! happening, the stage moves with it — the classification saved completes
//! Classify, the first message to users starts Communicate, a public status
//! saying the fix is in (monitoring, resolved) completes Remediate. Each is
//! written as a timeline entry of its own right after the change that
//! implied it, so the replay rebuilds it like any other; the commander can
//! move the stage back at any time, and nothing here ever moves a stage
//! backwards or overrides a settled one.

use super::record::*;
use super::vocabulary::*;

/// A stage change the record implies, and why (for the timeline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpliedStage {
    pub change: Change,
    pub because: &'static str,
}

impl IncidentRecord {
    /// The stage changes implied by `change`, which `before` became `self`
    /// through. Empty when the stages already agree.
    pub fn implied_stage_changes(
        &self,
        before: &IncidentRecord,
        change: &Change,
    ) -> Vec<ImpliedStage> {
        let mut implied = Vec::new();
        let mut imply = |stage: Stage, state: StageState, because: &'static str| {
            let current = self.stages.get(stage).state;
            let moves = match state {
                StageState::Done => matches!(current, StageState::Pending | StageState::Active),
                StageState::Active => current == StageState::Pending,
                _ => false,
            };
            if moves {
                implied.push(ImpliedStage {
                    change: Change::StageChanged {
                        stage,
                        state,
                        reason: None,
                        action_item_id: None,
                    },
                    because,
                });
            }
        };
        if matches!(change, Change::Classified { .. }) {
            imply(
                Stage::Classify,
                StageState::Done,
                "the classification was saved",
            );
        }
        let first_public =
            before.first_public_update().is_none() && self.first_public_update().is_some();
        if first_public {
            imply(
                Stage::Communicate,
                StageState::Active,
                "the first message to users was sent",
            );
        }
        let fix_in = |status: PublicStatus| {
            matches!(status, PublicStatus::Monitoring | PublicStatus::Resolved)
        };
        if fix_in(self.status) && !fix_in(before.status) {
            imply(
                Stage::Remediate,
                StageState::Done,
                "the public status says the fix is in",
            );
        }
        implied
    }
}
