//! Reads: the command board (one query, whatever the number of incidents)
//! and one incident in full.

use super::Desk;
use super::records;
use super::timeline::{self, Order};
use crate::domain::*;
use crate::error::{DeskError, Result};
use crate::metrics::metrics;
use crate::model::{BoardRow, IncidentDetail, StageBrief};

/// The board: open incidents (all with `include_closed`), most severe level
/// first, then the longest-running.
const BOARD_SQL: &str = "
SELECT i.id, i.seq, i.title, i.kind, i.level, l.rank, i.status,
       (SELECT group_concat(s.state, ',' ORDER BY s.position)
          FROM stages s WHERE s.incident_id = i.id) AS stage_states,
       (SELECT p.name FROM role_assignments r JOIN people p ON p.id = r.person_id
         WHERE r.incident_id = i.id AND r.role = 'commander' AND r.relieved_at IS NULL) AS commander,
       i.started_at, i.detected_at, i.declared_at, i.resolved_at, i.closed_at,
       (SELECT t.recorded_at FROM timeline t
         WHERE t.incident_id = i.id ORDER BY t.n DESC LIMIT 1) AS last_activity_at
  FROM incidents i JOIN levels l ON l.name = i.level
 WHERE i.closed_at IS NULL OR ?1
 ORDER BY i.closed_at IS NOT NULL, l.rank, i.started_at, i.seq";

impl Desk {
    /// Rows for the command board, in one query.
    pub fn list_incidents(&self, include_closed: bool) -> Result<Vec<BoardRow>> {
        let conn = self.conn();
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
                },
                states.unwrap_or_default(),
            ))
        })?;
        let mut board = Vec::new();
        for row in rows {
            let (mut board_row, states) = row?;
            board_row.stages = parse_stage_states(&states)?;
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
        Ok(IncidentDetail {
            record,
            timeline,
            metrics,
        })
    }

    /// The incident's timeline in recording order (what replays its state).
    pub fn recorded_timeline(&self, reference: &str) -> Result<Vec<TimelineEntry>> {
        let conn = self.conn();
        let (id, _) = records::resolve(&conn, reference)?;
        timeline::load(&conn, &id, Order::Recorded)
    }
}

fn parse_stage_states(states: &str) -> Result<Vec<StageBrief>> {
    let parsed: Vec<StageState> = states
        .split(',')
        .map(|s| s.parse::<StageState>())
        .collect::<Result<_>>()
        .map_err(|e| DeskError::Corrupt(format!("stage states {states:?}: {e}")))?;
    if parsed.len() != Stage::ALL.len() {
        return Err(DeskError::Corrupt(format!(
            "expected 7 stages, found {states:?}"
        )));
    }
    Ok(Stage::ALL
        .iter()
        .zip(parsed)
        .map(|(stage, state)| StageBrief {
            stage: *stage,
            state,
        })
        .collect())
}
