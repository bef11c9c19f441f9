-- Incident Desk schema, version 5: the alert inbox.
-- One row per alert group: deliveries with the same source and fingerprint
-- update the row (last seen, count) instead of adding lines to the inbox.
CREATE TABLE alerts (
    id           TEXT PRIMARY KEY NOT NULL,
    source       TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    service      TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    summary      TEXT NOT NULL,
    link         TEXT,
    -- A synthetic check (a robot user) rather than monitoring of the system.
    synthetic    INTEGER NOT NULL CHECK (synthetic IN (0, 1)),
    -- When the alerting tool says the problem started.
    started_at   INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    -- Firing deliveries received.
    count        INTEGER NOT NULL CHECK (count >= 0),
    resolved_at  INTEGER,
    incident_id  TEXT REFERENCES incidents (id),
    dismissed_at INTEGER,
    UNIQUE (source, fingerprint)
) STRICT;

CREATE INDEX alerts_by_incident ON alerts (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX alerts_by_last_seen ON alerts (last_seen);

-- Sources whose new alerts make no desktop notification (still in the inbox).
CREATE TABLE alert_mutes (
    source TEXT PRIMARY KEY NOT NULL
) STRICT;
