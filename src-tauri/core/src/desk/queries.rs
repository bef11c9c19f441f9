//! Reads: the command board (one query, whatever the number of incidents)
//! and one incident in full.

use super::Desk;
use super::deadlines::{load_policies, load_snoozes};
use super::records;
use super::timeline::{self, Order};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::metrics::metrics;
use crate::model::{BoardRow, IncidentDetail, StageBrief};
use crate::time::Timestamp;

/// The board: open incidents (all with `include_closed`), most severe level
/// first, then the longest-running.
const BOARD_SQL: &str = "
SELECT i.id, i.seq, i.title, i.kind, i.level, l.rank, i.status,
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
         AS alerts_firing
  FROM incidents i JOIN levels l ON l.name = i.level
 WHERE i.closed_at IS NULL OR ?1
 ORDER BY i.closed_at IS NOT NULL, l.rank, i.started_at, i.seq";

impl Desk {
    /// Rows for the command board, in one query.
    pub fn list_incidents(&self, include_closed: bool) -> Result<Vec<BoardRow>> {
        let now = self.clock.now();
        let conn = self.conn();
        let policies = load_policies(&conn)?;
        let mut snoozes = load_snoozes(&conn, now)?;
        let mut statement = conn.prepare_cached(BOARD_SQL)?;
        let rows = statement.query_map([include_closed], |row| {
            let states: Option<String> = row.get(7)?;
            Ok((
                BoardRow {
                    id: row.get(0)?,
                    reference: records::reference_of(row.get(1)?),
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
                },
                states.unwrap_or_default(),
                row.get::<_, Option<Timestamp>>(15)?,
                row.get::<_, Option<Timestamp>>(16)?,
            ))
        })?;
        let mut board = Vec::new();
        for row in rows {
            let (mut board_row, states, first_public_update, last_public_update) = row?;
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
            };
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
        Ok(IncidentDetail {
            record,
            timeline,
            metrics,
            deadlines,
            spans,
            moments,
            checklist,
        })
    }

    /// The incident's timeline in recording order (what replays its state).
    pub fn recorded_timeline(&self, reference: &str) -> Result<Vec<TimelineEntry>> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        timeline::load(&conn, &id, Order::Recorded)
    }
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
