//! Property tests of the rules: stage transitions, closing, metrics, and
//! "the timeline replays to the stored state" through a real `Desk`.

use super::*;
use crate::desk::{Declaration, Desk};
use crate::metrics::metrics;
use crate::time::{ManualClock, Timestamp};
use proptest::prelude::*;
use std::sync::Arc;

/// A moment in 2026 plus `ms`: the rules refuse times before 2000.
const BASE_MS: i64 = 1_764_000_000_000;

fn at_ms(ms: i64) -> Timestamp {
    Timestamp::from_millis(BASE_MS + ms)
}

fn declared() -> IncidentRecord {
    let change = Change::Declared {
        id: "id-1".into(),
        title: "t".into(),
        summary: String::new(),
        kind: IncidentKind::Outage,
        level: "L1".into(),
        source: Source::Monitoring,
        started_at: at_ms(0),
        detected_at: at_ms(0),
        services: Vec::new(),
        reference: None,
    };
    IncidentRecord::declared("INC-1", &change, at_ms(1000), "ada")
        .unwrap_or_else(|e| panic!("declaring a valid incident failed: {e}"))
}

fn stage() -> impl Strategy<Value = Stage> {
    proptest::sample::select(Stage::ALL.to_vec())
}

fn stage_state() -> impl Strategy<Value = StageState> {
    proptest::sample::select(StageState::ALL.to_vec())
}

proptest! {
    /// Any stage may move to any other state, in any order; only a repeat of
    /// the current state and a skip without reason are refused, and a refused
    /// change leaves everything as it was.
    #[test]
    fn stage_changes_are_never_blocked_by_order(
        steps in proptest::collection::vec((stage(), stage_state(), any::<bool>()), 1..40)
    ) {
        let mut record = declared();
        for (i, (stage, state, with_reason)) in steps.into_iter().enumerate() {
            let before = record.clone();
            let change = Change::StageChanged {
                stage,
                state,
                reason: with_reason.then(|| "because".to_owned()),
                action_item_id: Some(format!("item-{i}")),
            };
            let at = at_ms(2000 + i as i64 * 1000);
            let result = record.apply(&change, at, "ada");
            let should_refuse = before.stages.get(stage).state == state
                || (state == StageState::Skipped && !with_reason);
            prop_assert_eq!(result.is_err(), should_refuse);
            if result.is_err() {
                prop_assert_eq!(&record, &before);
            } else {
                let after = record.stages.get(stage);
                prop_assert_eq!(after.state, state);
                prop_assert_eq!(after.changed_at, Some(at));
                prop_assert_eq!(after.completed_at.is_some(), state.is_settled());
            }
        }
    }

    /// Closing succeeds exactly when every stage is done, skipped or deferred.
    #[test]
    fn closing_succeeds_exactly_when_every_stage_is_settled(
        states in proptest::collection::vec(stage_state(), 7)
    ) {
        let mut record = declared();
        for (stage, state) in Stage::ALL.iter().zip(&states) {
            let slot = record.stages.get_mut(*stage);
            slot.state = *state;
        }
        let all_settled = states.iter().all(|s| s.is_settled());
        let result = record.apply(&Change::Closed, at_ms(5000), "ada");
        prop_assert_eq!(result.is_ok(), all_settled);
        if let Err(crate::DeskError::OpenStages { stages, .. }) = result {
            let expected: Vec<Stage> = Stage::ALL.iter().zip(&states)
                .filter(|(_, s)| !s.is_settled()).map(|(stage, _)| *stage).collect();
            prop_assert_eq!(stages, expected);
        }
    }

    /// With times in their natural order, every metric is the plain difference
    /// of its two times and never negative.
    #[test]
    fn metrics_are_the_differences_of_their_times(
        gaps in proptest::collection::vec(0i64..86_400_000, 5)
    ) {
        let started = 1_000_000i64;
        let detected = started + gaps[0];
        let declared = detected + gaps[1];
        let change = Change::Declared {
            id: "x".into(), title: "t".into(), summary: String::new(),
            kind: IncidentKind::Outage, level: "L1".into(), source: Source::Internal,
            started_at: at_ms(started), detected_at: at_ms(detected), services: Vec::new(), reference: None,
        };
        let mut record = IncidentRecord::declared("INC-1", &change, at_ms(declared), "a")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let ack = declared + gaps[2];
        record.apply(&Change::RoleAssigned { role: Role::Commander, person: "A".into() }, at_ms(ack), "a")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mitigated = ack + gaps[3];
        record.apply(&Change::StageChanged { stage: Stage::Remediate, state: StageState::Done, reason: None, action_item_id: None }, at_ms(mitigated), "a")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let resolved = mitigated + gaps[4];
        record.apply(&Change::StatusChanged { status: PublicStatus::Resolved }, at_ms(resolved), "a")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let m = metrics(&record);
        prop_assert_eq!(m.time_to_detect, Some((detected - started).div_euclid(1000)));
        prop_assert_eq!(m.time_to_acknowledge, Some((ack - detected).div_euclid(1000)));
        prop_assert_eq!(m.time_to_mitigate, Some((mitigated - started).div_euclid(1000)));
        prop_assert_eq!(m.time_to_resolve, Some((resolved - started).div_euclid(1000)));
        prop_assert_eq!(m.time_to_first_update, None);
        for value in [m.time_to_detect, m.time_to_acknowledge, m.time_to_mitigate, m.time_to_resolve].into_iter().flatten() {
            prop_assert!(value >= 0);
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Stage(Stage, StageState, bool),
    Status(PublicStatus),
    Assign(Role, u8),
    Relieve(Role, u8),
    Note(bool),
    Comm(Channel, bool),
    Review(ReviewField),
    Action,
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (stage(), stage_state(), any::<bool>()).prop_map(|(s, st, r)| Op::Stage(s, st, r)),
        proptest::sample::select(PublicStatus::ALL.to_vec()).prop_map(Op::Status),
        (proptest::sample::select(Role::ALL.to_vec()), 0u8..3).prop_map(|(r, p)| Op::Assign(r, p)),
        (proptest::sample::select(Role::ALL.to_vec()), 0u8..3).prop_map(|(r, p)| Op::Relieve(r, p)),
        any::<bool>().prop_map(Op::Note),
        (
            proptest::sample::select(Channel::ALL.to_vec()),
            any::<bool>()
        )
            .prop_map(|(c, s)| Op::Comm(c, s)),
        proptest::sample::select(ReviewField::ALL.to_vec()).prop_map(Op::Review),
        Just(Op::Action),
        Just(Op::Close),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever happens to an incident (including refused changes and
    /// back-dated entries), replaying its timeline gives the stored state.
    #[test]
    fn the_timeline_always_replays_to_the_stored_state(ops in proptest::collection::vec(op(), 1..30)) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let clock = ManualClock::new(Timestamp::from_millis(1_800_000_000_000));
        let desk = Desk::open_with_clock(dir.path().join("p.db"), Arc::new(clock.clone()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The impact started a minute before: back-dated notes fit after it.
        let mut declaration = Declaration::new("prop", IncidentKind::Outage, "L1");
        declaration.started_at = Some(Timestamp::from_millis(1_800_000_000_000 - 60_000));
        desk.declare(declaration).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let people = ["Alice", "Bob", "Carol"];
        for (i, op) in ops.into_iter().enumerate() {
            clock.advance_secs(7);
            let back = Some(Timestamp::from_millis(1_800_000_000_000 - i as i64 * 1000));
            // Refusals are part of the property: they must leave no trace.
            let _ = match op {
                Op::Stage(s, st, r) => desk.set_stage("INC-1", s, st, r.then(|| "why".to_owned()), None).map(|_| ()),
                Op::Status(s) => desk.set_status("INC-1", s, None).map(|_| ()),
                Op::Assign(r, p) => desk.assign("INC-1", r, people[p as usize], None).map(|_| ()),
                Op::Relieve(r, p) => desk.relieve("INC-1", r, Some(people[p as usize]), None).map(|_| ()),
                Op::Note(backdated) => desk.add_note("INC-1", "n", if backdated { back } else { None }, None).map(|_| ()),
                Op::Comm(c, sent) => if sent {
                    desk.record_sent_communication("INC-1", c, "", "msg", None).map(|_| ())
                } else {
                    desk.draft_communication("INC-1", c, "", "draft", None).map(|_| ())
                },
                Op::Review(field) => desk.update_review("INC-1", field, &format!("text {i}"), None).map(|_| ()),
                Op::Action => desk.add_action_item("INC-1", "do it", Some("Bob"), None, None).map(|_| ()),
                Op::Close => desk.close("INC-1", None).map(|_| ()),
            };
        }
        let stored = desk.incident("INC-1").map_err(|e| TestCaseError::fail(e.to_string()))?.record;
        let timeline = desk.recorded_timeline("INC-1").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let rebuilt = crate::replay::replay("INC-1", &timeline).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(rebuilt, stored);
    }
}

fn span() -> impl Strategy<Value = Option<Span>> {
    prop_oneof![
        Just(None),
        (1i64..10_000).prop_map(|s| Some(Span::Seconds(s)))
    ]
}

proptest! {
    /// Whatever the policy, the times and the stage states: a deadline never
    /// asks for a nudge before it is due, and a met one never asks at all.
    #[test]
    fn deadlines_never_nudge_early_and_completed_steps_never_nudge(
        spans in proptest::collection::vec(span(), 6),
        states in proptest::collection::vec(stage_state(), 7),
        offsets in proptest::collection::vec(0i64..20_000_000, 4),
        resolved in any::<bool>(),
    ) {
        let policy = Policy {
            level: "L1".into(),
            classify: spans[0], first_update: spans[1], update_every: spans[2],
            remediate: spans[3], review: spans[4], stalled: spans[5], approval: false,
        };
        let mut record = declared();
        for (stage, state) in Stage::ALL.iter().zip(&states) {
            let r = record.stages.get_mut(*stage);
            r.state = *state;
            r.changed_at = Some(at_ms(1000 + offsets[0]));
            r.completed_at = state.is_settled().then_some(at_ms(1000 + offsets[0]));
        }
        if resolved {
            record.status = PublicStatus::Resolved;
            record.resolved_at = Some(at_ms(1000 + offsets[1]));
        }
        let facts = DeadlineFacts::from_record(&record, &[], at_ms(1000 + offsets[2]));
        let now = at_ms(1000 + offsets[3]);
        for d in deadlines(&facts, &policy, &[], now) {
            if d.wants_nudge() {
                prop_assert!(now >= d.due_at, "{} nudges before it is due", d.key);
            }
            if d.met_at.is_some() {
                prop_assert!(!d.wants_nudge());
                prop_assert_eq!(d.state, DeadlineState::Met);
            }
            // A settled stage's own deadline is met.
            if d.key == "classify" && record.stages.classify.state.is_settled() {
                prop_assert_eq!(d.state, DeadlineState::Met);
            }
            if d.key.starts_with("stalled:") {
                let stage: Stage = d.key["stalled:".len()..].parse().map_err(|e: crate::DeskError| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(record.stages.get(stage).state, StageState::Active);
            }
        }
    }
}

proptest! {
    /// Whatever times the changes claim (back-dated to before the impact,
    /// before the declaration, or after), the rules keep every metric ≥ 0:
    /// what would make one negative is refused.
    #[test]
    fn no_metric_is_ever_negative(
        changes in proptest::collection::vec((0u8..5, -7_200_000i64..7_200_000), 1..25)
    ) {
        let mut record = declared();
        for (i, (what, offset)) in changes.into_iter().enumerate() {
            let change = match what {
                0 => Change::RoleAssigned { role: Role::Commander, person: format!("P{i}") },
                1 => Change::StageChanged { stage: Stage::Remediate, state: StageState::Done, reason: None, action_item_id: None },
                2 => Change::StatusChanged { status: PublicStatus::Resolved },
                3 => Change::CommunicationRecorded {
                    id: format!("c{i}"), channel: Channel::StatusPage, segment: String::new(),
                    body: "We are looking into it".into(), subject: None,
                },
                _ => Change::StatusChanged { status: PublicStatus::Monitoring },
            };
            let _ = record.apply(&change, at_ms(1000 + offset), "ada");
            let m = metrics(&record);
            for value in [m.time_to_detect, m.time_to_acknowledge, m.time_to_first_update, m.time_to_mitigate, m.time_to_resolve].into_iter().flatten() {
                prop_assert!(value >= 0, "a negative metric: {:?}", m);
            }
        }
    }
}
