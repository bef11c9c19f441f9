//! Reads: the command board (one query, whatever the number of incidents)
//! and one incident in full.

use super::Desk;
use super::deadlines::{load_policies, load_snoozes};
use super::records;
use super::timeline::{self, Order};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::metrics::metrics;
use crate::model::{BoardRow, BoardView, IncidentDetail, StageBrief};
use crate::time::Timestamp;
use rusqlite::OptionalExtension as _;

/// The board: open incidents (all with `include_closed`), most severe level
/// first, then the longest-running.
const BOARD_SQL: &str = "
SELECT i.id, i.reference, i.title, i.kind, i.level, l.rank, i.status,
       (SELECT group_concat(s.state || '|' || coalesce(s.changed_at, '') || '|' || coalesce(s.completed_at, ''),
                            ',' ORDER BY s.position)
          FROM stages s WHERE s.incident_id = i.id) AS stage_states,
       (SELECT p.name FROM role_assignments r JOIN people p ON p.id = r.person_id
         WHERE r.incident_id = i.id AND r.role = 'commander' AND r.relieved_at IS NULL) AS commander,
       i.started_at, i.detected_at, i.declared_at, i.resolved_at, i.closed_at,
       (SELECT t.recorded_at FROM timeline t
         WHERE t.incident_id = i.id AND t.kind <> 'nudge' ORDER BY t.n DESC LIMIT 1) AS last_activity_at,
       (SELECT min(c.sent_at) FROM communications c
         WHERE c.incident_id = i.id AND c.state = 'sent' AND c.channel IN ('status_page', 'social', 'email'))
         AS first_public_update,
       (SELECT max(c.sent_at) FROM communications c
         WHERE c.incident_id = i.id AND c.state = 'sent' AND c.channel IN ('status_page', 'social', 'email'))
         AS last_public_update,
       (SELECT count(*) FROM alerts a WHERE a.incident_id = i.id) AS alerts,
       (SELECT count(*) FROM alerts a WHERE a.incident_id = i.id AND a.resolved_at IS NULL)
         AS alerts_firing,
       json_array_length(i.conflicts) AS conflicts,
       (SELECT group_concat(lr.role) FROM level_roles lr
         WHERE lr.level = i.level AND NOT EXISTS (
           SELECT 1 FROM role_assignments r
            WHERE r.incident_id = i.id AND r.role = lr.role AND r.relieved_at IS NULL))
         AS missing_roles,
       i.checks, i.tasks,
       (SELECT count(*) FROM communications c WHERE c.incident_id = i.id AND c.queued_to IS NOT NULL)
         AS messages_queued
  FROM incidents i JOIN levels l ON l.name = i.level
 WHERE ?1 = 'all' OR (?1 = 'open' AND i.closed_at IS NULL) OR (?1 = 'closed' AND i.closed_at IS NOT NULL)
 ORDER BY i.closed_at IS NOT NULL, i.closed_at DESC, l.rank, i.started_at, i.seq";

impl Desk {
    /// Rows for the command board: the open incidents, or all of them.
    pub fn list_incidents(&self, include_closed: bool) -> Result<Vec<BoardRow>> {
        self.board(if include_closed {
            BoardView::All
        } else {
            BoardView::Open
        })
    }

    /// Rows for one view of the board, in one query.
    pub fn board(&self, view: BoardView) -> Result<Vec<BoardRow>> {
        let now = self.clock.now();
        let conn = self.conn();
        let policies = load_policies(&conn)?;
        let mut snoozes = load_snoozes(&conn, now)?;
        let playbooks = super::playbooks::load_all_items(&conn)?;
        let mut statement = conn.prepare_cached(BOARD_SQL)?;
        let rows = statement.query_map([view.as_str()], |row| {
            let states: Option<String> = row.get(7)?;
            Ok((
                BoardRow {
                    id: row.get(0)?,
                    reference: row.get(1)?,
                    title: row.get(2)?,
                    kind: row.get(3)?,
                    level: row.get(4)?,
                    level_rank: row.get(5)?,
                    status: row.get(6)?,
                    stages: Vec::new(),
                    commander: row.get(8)?,
                    started_at: row.get(9)?,
                    detected_at: row.get(10)?,
                    declared_at: row.get(11)?,
                    resolved_at: row.get(12)?,
                    closed_at: row.get(13)?,
                    last_activity_at: row.get(14)?,
                    next_deadline: None,
                    next_update_due: None,
                    deadlines: Vec::new(),
                    overdue: 0,
                    alerts: row.get(17)?,
                    alerts_firing: row.get(18)?,
                    conflicts: row.get(19)?,
                    missing_roles: parse_roles(row.get::<_, Option<String>>(20)?.as_deref()),
                    checklist: Progress {
                        settled: 0,
                        total: 0,
                    },
                    tasks_open: 0,
                    messages_queued: row.get(23)?,
                },
                states.unwrap_or_default(),
                row.get::<_, Option<Timestamp>>(15)?,
                row.get::<_, Option<Timestamp>>(16)?,
                (row.get::<_, String>(21)?, row.get::<_, String>(22)?),
            ))
        })?;
        let mut board = Vec::new();
        for row in rows {
            let (mut board_row, states, first_public_update, last_public_update, (checks, tasks)) =
                row?;
            let stages = parse_stages(&states)?;
            board_row.stages = stages
                .iter()
                .map(|(stage, record)| StageBrief {
                    stage,
                    state: record.state,
                })
                .collect();
            let facts = DeadlineFacts {
                declared_at: board_row.declared_at,
                detected_at: board_row.detected_at,
                resolved_at: board_row.resolved_at,
                closed_at: board_row.closed_at,
                status: board_row.status,
                stages,
                first_public_update,
                last_public_update,
                last_activity_at: board_row.last_activity_at,
                commitments: Vec::new(),
            };
            // The checklist and tasks, folded into the row's JSON columns.
            let checks: Vec<CheckMark> = serde_json::from_str(&checks).unwrap_or_default();
            let tasks: Vec<Task> = serde_json::from_str(&tasks).unwrap_or_default();
            let marks = PlaybookMarks {
                checks: &checks,
                tasks: &tasks,
                detected_at: board_row.detected_at,
            };
            let items = playbooks
                .get(&(board_row.kind, board_row.level.clone()))
                .map_or(&[][..], Vec::as_slice);
            board_row.checklist = marks.progress(items);
            board_row.tasks_open = marks.tasks.iter().filter(|t| t.is_open()).count() as i64;
            let mut facts = facts;
            facts.commitments = marks.commitments(items);
            let policy = policies
                .get(&board_row.level)
                .cloned()
                .unwrap_or_else(|| Policy::none(&board_row.level));
            let own_snoozes = snoozes.remove(&board_row.id).unwrap_or_default();
            let all = deadlines(&facts, &policy, &own_snoozes, now);
            board_row.overdue = all.iter().filter(|d| d.wants_nudge()).count() as i64;
            board_row.next_update_due = all
                .iter()
                .find(|d| {
                    (d.key == "next_update" || d.key == "first_update")
                        && d.state != DeadlineState::Met
                })
                .map(|d| d.due_at);
            board_row.next_deadline = next_deadline(&all).cloned();
            let mut open: Vec<Deadline> = all
                .into_iter()
                .filter(|d| d.state != DeadlineState::Met)
                .collect();
            open.sort_by_key(|d| (!d.wants_nudge(), d.due_at));
            board_row.deadlines = open;
            board.push(board_row);
        }
        Ok(board)
    }

    /// One incident in full: state, timeline in order of occurrence, metrics.
    pub fn incident(&self, reference: &str) -> Result<IncidentDetail> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        let record = records::load_record(&conn, &id)?;
        let timeline = timeline::load(&conn, &id, Order::Occurred)?;
        let metrics = metrics(&record);
        let deadlines = super::deadlines::deadlines_of(&conn, &record, self.clock.now())?.deadlines;
        let spans = stage_spans(&record, &timeline);
        let moments = key_moments(&record);
        let checklist = review_checklist(&record);
        let items = super::playbooks::load_items(&conn, record.kind, &record.level)?;
        let playbook = crate::domain::checklist(&record, &items);
        let hypotheses = crate::domain::hypotheses(&record, &timeline);
        let level_meaning: Option<String> = conn
            .prepare_cached("SELECT description FROM levels WHERE name = ?1")?
            .query_row([&record.level], |row| row.get(0))
            .optional()?;
        let expected_roles = super::directory::expected_roles(&conn, &record.level)?;
        let guidance = crate::domain::guidance(
            &record,
            &timeline,
            &LevelPlaybook {
                meaning: level_meaning.as_deref(),
                expected_roles: &expected_roles,
            },
            &deadlines,
            self.clock.now(),
        );
        Ok(IncidentDetail {
            record,
            timeline,
            metrics,
            deadlines,
            spans,
            moments,
            checklist,
            guidance,
            playbook,
            hypotheses,
        })
    }

    /// The catch-up brief for someone joining or taking over (domain/brief.rs).
    pub fn brief(&self, reference: &str) -> Result<Brief> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        let record = records::load_record(&conn, &id)?;
        let timeline = timeline::load(&conn, &id, Order::Occurred)?;
        let now = self.clock.now();
        let deadlines = super::deadlines::deadlines_of(&conn, &record, now)?.deadlines;
        let items = super::playbooks::load_items(&conn, record.kind, &record.level)?;
        let lines = checklist(&record, &items);
        Ok(crate::domain::brief(
            &record, &timeline, &deadlines, &lines, now,
        ))
    }

    /// The incident's timeline in recording order (what replays its state).
    pub fn recorded_timeline(&self, reference: &str) -> Result<Vec<TimelineEntry>> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        timeline::load(&conn, &id, Order::Recorded)
    }
}

/// Roles from a comma-separated list, in the product's order.
fn parse_roles(text: Option<&str>) -> Vec<Role> {
    let listed: Vec<&str> = text.unwrap_or_default().split(',').collect();
    Role::ALL
        .iter()
        .copied()
        .filter(|role| listed.contains(&role.as_str()))
        .collect()
}

/// Reads "state|changed_at|completed_at" for the seven stages, in order.
fn parse_stages(text: &str) -> Result<Stages> {
    let corrupt = || DeskError::Corrupt(format!("stage states {text:?}"));
    let time = |part: &str| -> Result<Option<Timestamp>> {
        if part.is_empty() {
            return Ok(None);
        }
        part.parse::<i64>()
            .map(|ms| Some(Timestamp::from_millis(ms)))
            .map_err(|_| corrupt())
    };
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() != Stage::ALL.len() {
        return Err(corrupt());
    }
    let mut stages = Stages::all_pending();
    for (stage, part) in Stage::ALL.iter().zip(parts) {
        let mut fields = part.split('|');
        let state: StageState = fields
            .next()
            .ok_or_else(corrupt)?
            .parse()
            .map_err(|_| corrupt())?;
        let record = stages.get_mut(*stage);
        record.state = state;
        record.changed_at = time(fields.next().unwrap_or(""))?;
        record.completed_at = time(fields.next().unwrap_or(""))?;
    }
    Ok(stages)
}
