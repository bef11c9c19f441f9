//! Versioned schema migrations. The schema version lives in the header's
//! `user_version`; all pending migrations run in one IMMEDIATE transaction, so
//! a database is either fully at the new version or untouched.

use super::APPLICATION_ID;
use crate::error::{DeskError, Result};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// One step of a migration: SQL, or Rust for data that is easier to write
/// in Rust (the default message templates).
enum Step {
    Sql(&'static str),
    Seed(fn(&Connection) -> Result<()>),
}

/// The migrations in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&[Step]] = &[
    &[Step::Sql(include_str!("../../migrations/0001_initial.sql"))],
    &[Step::Sql(include_str!(
        "../../migrations/0002_deadlines.sql"
    ))],
    &[
        Step::Sql(include_str!("../../migrations/0003_communications.sql")),
        Step::Seed(crate::desk::seed_default_templates),
    ],
    &[Step::Sql(include_str!(
        "../../migrations/0004_settings.sql"
    ))],
    &[Step::Sql(include_str!("../../migrations/0005_alerts.sql"))],
    &[
        Step::Sql(include_str!("../../migrations/0006_team.sql")),
        Step::Seed(super::team_migration::fill_stamps),
        Step::Sql(include_str!("../../migrations/0006_team_indexes.sql")),
    ],
    &[Step::Sql(include_str!(
        "../../migrations/0007_expected_roles.sql"
    ))],
    &[
        Step::Sql(include_str!("../../migrations/0008_playbooks.sql")),
        Step::Seed(crate::desk::seed_default_playbooks),
    ],
    &[Step::Sql(include_str!("../../migrations/0009_outbox.sql"))],
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > LATEST_VERSION {
        return Err(DeskError::NewerDatabase {
            path: path.to_path_buf(),
            found: current,
            supported: LATEST_VERSION,
        });
    }
    if current == LATEST_VERSION {
        return Ok(());
    }
    let start = usize::try_from(current)
        .map_err(|_| DeskError::Corrupt(format!("negative schema version {current}")))?;
    for (index, steps) in MIGRATIONS.iter().enumerate().skip(start) {
        for step in *steps {
            match step {
                Step::Sql(sql) => tx.execute_batch(sql)?,
                Step::Seed(seed) => seed(&tx)?,
            }
        }
        tracing::info!(version = index + 1, "applied database migration");
    }
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {LATEST_VERSION};"
    ))?;
    tx.commit()?;
    Ok(())
}
