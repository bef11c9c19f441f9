-- Incident Desk schema, version 1.
-- Times are INTEGER milliseconds since the Unix epoch, UTC.
-- The timeline is append-only (triggers below); every other table holds the
-- current state, written in the same transaction as the entry that changed it.

CREATE TABLE levels (
    name        TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 16),
    description TEXT NOT NULL,
    rank        INTEGER NOT NULL UNIQUE
) STRICT;

INSERT INTO levels (name, description, rank) VALUES
    ('L1', 'Major: handled by pretty much everybody.', 1),
    ('L2', 'Minor: handled by the on-call engineer, with Support/Sales handling customer communication.', 2);

CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    -- Case-folded name: "alice" and "Alice" are the same person.
    name_key   TEXT NOT NULL UNIQUE,
    handle     TEXT NOT NULL DEFAULT '',
    contact    TEXT NOT NULL DEFAULT '',
    team       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE incidents (
    id              TEXT PRIMARY KEY NOT NULL,
    seq             INTEGER NOT NULL UNIQUE CHECK (seq > 0),
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL CHECK (kind IN ('outage', 'degradation', 'security', 'user_issue')),
    level           TEXT NOT NULL REFERENCES levels (name),
    status          TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    source          TEXT NOT NULL CHECK (source IN ('monitoring', 'synthetic', 'user_report', 'internal')),
    services        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(services)),
    segment         TEXT NOT NULL DEFAULT '',
    customer_facing INTEGER NOT NULL DEFAULT 0 CHECK (customer_facing IN (0, 1)),
    started_at      INTEGER NOT NULL,
    detected_at     INTEGER NOT NULL,
    declared_at     INTEGER NOT NULL,
    resolved_at     INTEGER,
    closed_at       INTEGER
) STRICT;

CREATE INDEX incidents_open ON incidents (closed_at, level);

CREATE TABLE stages (
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    position     INTEGER NOT NULL CHECK (position BETWEEN 1 AND 7),
    stage        TEXT NOT NULL CHECK (stage IN ('identify', 'classify', 'communicate', 'remediate', 'diagnose', 'repair', 'review')),
    state        TEXT NOT NULL CHECK (state IN ('pending', 'active', 'done', 'skipped', 'deferred')),
    started_at   INTEGER,
    completed_at INTEGER,
    changed_at   INTEGER,
    owner        TEXT,
    reason       TEXT,
    PRIMARY KEY (incident_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE role_assignments (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position    INTEGER NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('commander', 'deputy', 'scribe', 'communications', 'operations', 'expert', 'support')),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    assumed_at  INTEGER NOT NULL,
    relieved_at INTEGER,
    PRIMARY KEY (incident_id, position)
) STRICT, WITHOUT ROWID;

-- One current holder per role, except subject-matter experts.
CREATE UNIQUE INDEX one_current_holder ON role_assignments (incident_id, role)
    WHERE relieved_at IS NULL AND role <> 'expert';

CREATE TABLE communications (
    id          TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position    INTEGER NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('status_page', 'social', 'email', 'internal', 'support')),
    segment     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'sent', 'discarded')),
    created_at  INTEGER NOT NULL,
    approved_by TEXT,
    approved_at INTEGER,
    sent_at     INTEGER,
    UNIQUE (incident_id, position)
) STRICT;

CREATE TABLE reviews (
    incident_id          TEXT PRIMARY KEY NOT NULL REFERENCES incidents (id),
    summary              TEXT NOT NULL DEFAULT '',
    impact               TEXT NOT NULL DEFAULT '',
    root_cause           TEXT NOT NULL DEFAULT '',
    contributing_factors TEXT NOT NULL DEFAULT '',
    went_well            TEXT NOT NULL DEFAULT '',
    went_badly           TEXT NOT NULL DEFAULT '',
    lucky                TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE action_items (
    id          TEXT PRIMARY KEY NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    owner       TEXT,
    due         TEXT,
    state       TEXT NOT NULL CHECK (state IN ('open', 'done', 'dropped')),
    from_stage  TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (incident_id, position)
) STRICT;

CREATE TABLE timeline (
    -- Global recording order.
    id          INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    -- Position in the incident's own timeline: 1, 2, 3, ...
    n           INTEGER NOT NULL CHECK (n > 0),
    occurred_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    author      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    -- The structured change (JSON), for entries that changed state.
    change      TEXT CHECK (change IS NULL OR json_valid(change)),
    -- The n of the entry this one corrects.
    supersedes  INTEGER CHECK (supersedes IS NULL OR supersedes < n),
    UNIQUE (incident_id, n)
) STRICT;

CREATE INDEX timeline_by_occurrence ON timeline (incident_id, occurred_at, n);

-- The timeline is the record: entries are never edited or removed.
-- A correction is a new entry that supersedes an earlier one.
CREATE TRIGGER timeline_is_append_only_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'timeline entries are append-only: add a correction instead');
END;

CREATE TRIGGER timeline_is_append_only_no_delete BEFORE DELETE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'timeline entries are append-only: add a correction instead');
END;
