-- Incident Desk schema, version 2: deadline policies and nudges.

-- Spans are text: '15m', '2h', '5wd' (working days); NULL means no deadline.
CREATE TABLE policies (
    level        TEXT PRIMARY KEY NOT NULL REFERENCES levels (name),
    classify     TEXT,
    first_update TEXT,
    update_every TEXT,
    remediate    TEXT,
    review       TEXT,
    stalled      TEXT
) STRICT;

INSERT INTO policies (level, classify, first_update, update_every, remediate, review, stalled) VALUES
    ('L1', '5m', '15m', '30m', '1h', '3d', '20m'),
    ('L2', '15m', '1h', '2h', '4h', '5wd', '1h');

-- One row per deadline occurrence that asked for a nudge.
CREATE TABLE nudges (
    incident_id   TEXT NOT NULL REFERENCES incidents (id),
    key           TEXT NOT NULL,
    due_at        INTEGER NOT NULL,
    fired_at      INTEGER NOT NULL,
    -- When a notification or the window last showed it; NULL: still to show.
    shown_at      INTEGER,
    snoozed_until INTEGER,
    PRIMARY KEY (incident_id, key, due_at)
) STRICT, WITHOUT ROWID;
