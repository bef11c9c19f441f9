-- Incident Desk schema, version 6: one record that many laptops can write.
-- Every entry gets a global id and a hybrid logical clock stamp; the state
-- is the fold of the entries in stamp order (see domain/fold.rs). The stamps
-- of existing entries are derived from their recorded order by the seed
-- step that follows this script (store/team_migration.rs).

ALTER TABLE timeline ADD COLUMN entry_id TEXT;
ALTER TABLE timeline ADD COLUMN hlc TEXT;
-- The newest stamp of the incident its writer had seen.
ALTER TABLE timeline ADD COLUMN seen TEXT;
-- The entry this one corrects, by id (it may not have arrived yet).
ALTER TABLE timeline ADD COLUMN supersedes_id TEXT;
-- The stamp was far ahead of this laptop's clock when it arrived.
ALTER TABLE timeline ADD COLUMN skewed INTEGER NOT NULL DEFAULT 0 CHECK (skewed IN (0, 1));

-- The reference people say (INC-12, or INC-12-K7Q minted offline in a team).
ALTER TABLE incidents ADD COLUMN reference TEXT;
-- What laptops disagreed on (derived by the fold, like the rest).
ALTER TABLE incidents ADD COLUMN conflicts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(conflicts));

-- References an incident was known by before it was renamed.
CREATE TABLE incident_aliases (
    alias       TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id)
) STRICT;

-- Entries written here that no transport has delivered yet.
CREATE TABLE outbox (
    entry_id  TEXT PRIMARY KEY NOT NULL,
    queued_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Entries from elsewhere whose incident's declaration has not arrived yet:
-- kept (never dropped) and folded in when it does.
CREATE TABLE parked_entries (
    entry_id    TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL,
    envelope    TEXT NOT NULL CHECK (json_valid(envelope)),
    received_at INTEGER NOT NULL
) STRICT;

CREATE INDEX parked_by_incident ON parked_entries (incident_id);

-- Where each transport is in the streams it reads (opaque to the core).
CREATE TABLE sync_cursors (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
