//! The people directory and the severity levels.

use super::Desk;
use super::records::name_key;
use crate::domain::{MAX_NAME, MAX_SHORT_TEXT, Role, optional_text, required_text};
use crate::error::{DeskError, Result};
use crate::model::{ChangeEvent, Level, Person};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// The limits on a person's details, from the keyboard or from a file.
pub(crate) fn check_person(person: &Person) -> Result<()> {
    required_text("name", &person.name, MAX_NAME)?;
    optional_text("handle", &person.handle, MAX_NAME)?;
    optional_text("contact", &person.contact, MAX_SHORT_TEXT)?;
    optional_text("team", &person.team, MAX_NAME)
}

/// A level's name and description, from the keyboard or from a file.
pub(crate) fn check_level(name: &str, description: &str) -> Result<()> {
    let valid_name = !name.is_empty()
        && name.chars().count() <= 16
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_name {
        return Err(DeskError::invalid(
            "level",
            format!("\"{name}\" is not a level name: use 1–16 letters, digits, - or _ (e.g. L3)"),
        ));
    }
    required_text("description", description, MAX_SHORT_TEXT)
}

impl Desk {
    pub fn people(&self) -> Result<Vec<Person>> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached("SELECT name, handle, contact, team FROM people ORDER BY name_key")?;
        let people = statement
            .query_map([], |row| {
                Ok(Person {
                    name: row.get(0)?,
                    handle: row.get(1)?,
                    contact: row.get(2)?,
                    team: row.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(people)
    }

    /// Adds a person, or updates the details of one with the same name.
    pub fn save_person(&self, person: &Person) -> Result<Person> {
        check_person(person)?;
        let now = self.clock.now();
        let conn = self.conn();
        let existing: Option<String> = conn
            .prepare_cached("SELECT name FROM people WHERE name_key = ?1")?
            .query_row([name_key(&person.name)], |row| row.get(0))
            .optional()?;
        let saved = Person {
            name: existing.unwrap_or_else(|| person.name.clone()),
            ..person.clone()
        };
        conn.prepare_cached(
            "INSERT INTO people (name, name_key, handle, contact, team, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name_key) DO UPDATE SET handle = excluded.handle,
                 contact = excluded.contact, team = excluded.team",
        )?
        .execute(params![
            saved.name,
            name_key(&saved.name),
            saved.handle,
            saved.contact,
            saved.team,
            now
        ])?;
        drop(conn);
        self.publish(ChangeEvent::Directory);
        Ok(saved)
    }

    pub fn levels(&self) -> Result<Vec<Level>> {
        let conn = self.conn();
        let mut statement =
            conn.prepare_cached("SELECT name, description, rank FROM levels ORDER BY rank")?;
        let levels = statement
            .query_map([], |row| {
                Ok(Level {
                    name: row.get(0)?,
                    description: row.get(1)?,
                    rank: row.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(levels)
    }

    /// Adds a level below the existing ones (e.g. `L3`).
    pub fn add_level(&self, name: &str, description: &str) -> Result<Level> {
        check_level(name, description)?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if tx
            .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
            .exists([name])?
        {
            return Err(DeskError::Conflict(format!("level {name} already exists")));
        }
        let rank: i64 = tx.query_row("SELECT coalesce(max(rank), 0) + 1 FROM levels", [], |r| {
            r.get(0)
        })?;
        tx.execute(
            "INSERT INTO levels (name, description, rank) VALUES (?1, ?2, ?3)",
            params![name, description, rank],
        )?;
        tx.commit()?;
        drop(conn);
        self.publish(ChangeEvent::Directory);
        Ok(Level {
            name: name.to_owned(),
            description: description.to_owned(),
            rank,
        })
    }
}

impl Desk {
    /// The roles `level` expects filled (playbook data).
    pub fn expected_roles(&self, level: &str) -> Result<Vec<Role>> {
        let conn = self.conn();
        expected_roles(&conn, level)
    }

    /// Sets the roles `level` expects filled; an empty list expects none.
    pub fn set_expected_roles(&self, level: &str, roles: &[Role]) -> Result<Vec<Role>> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !tx
            .prepare_cached("SELECT 1 FROM levels WHERE name = ?1")?
            .exists([level])?
        {
            return Err(DeskError::NotFound {
                what: "level",
                key: level.to_string(),
            });
        }
        tx.execute("DELETE FROM level_roles WHERE level = ?1", [level])?;
        for role in roles {
            tx.prepare_cached("INSERT OR IGNORE INTO level_roles (level, role) VALUES (?1, ?2)")?
                .execute(params![level, role.as_str()])?;
        }
        tx.commit()?;
        let roles = expected_roles(&conn, level)?;
        drop(conn);
        self.publish(ChangeEvent::Directory);
        Ok(roles)
    }
}

/// The roles a level expects, in the product's order.
pub(crate) fn expected_roles(conn: &rusqlite::Connection, level: &str) -> Result<Vec<Role>> {
    let mut statement = conn.prepare_cached("SELECT role FROM level_roles WHERE level = ?1")?;
    let named: Vec<String> = statement
        .query_map([level], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Role::ALL
        .iter()
        .copied()
        .filter(|role| named.iter().any(|n| n == role.as_str()))
        .collect())
}
