-- Incident Desk schema, version 9: the publishing outbox (publish_queue; the
-- `outbox` table is team sync's). "Publish" queues a message
-- for a service (a webhook, Matrix, Slack, Statuspage, email); it is marked
-- sent only when the service confirms. The queue is this laptop's work
-- (attempts, next try, last error); the timeline says queued, sent, failed
-- or cancelled, so every laptop sees where a message is.
ALTER TABLE communications ADD COLUMN queued_to TEXT;
ALTER TABLE communications ADD COLUMN publish_error TEXT;
-- A channel can publish to a Matrix room (its access token is in the
-- desktop's secret store, never here).
ALTER TABLE channel_settings ADD COLUMN matrix_homeserver TEXT;
ALTER TABLE channel_settings ADD COLUMN matrix_room TEXT;

CREATE TABLE publish_queue (
    id               TEXT PRIMARY KEY,
    incident_id      TEXT NOT NULL REFERENCES incidents (id),
    communication_id TEXT NOT NULL,
    target           TEXT NOT NULL CHECK (target IN ('webhook', 'matrix', 'slack', 'statuspage', 'email')),
    state            TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'cancelled')),
    queued_at        INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    done_at          INTEGER,
    -- What the service calls it (a Matrix event id, a Statuspage incident id…).
    external_ref     TEXT
);
CREATE INDEX publish_queue_due ON publish_queue (next_attempt_at) WHERE state = 'queued';
CREATE UNIQUE INDEX publish_queue_one_queued ON publish_queue (communication_id, target) WHERE state = 'queued';

-- An incident's thread or page at a service: the Statuspage incident, the
-- Slack thread. Later updates go there, never to a second one.
CREATE TABLE service_links (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    target      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    PRIMARY KEY (incident_id, target)
) WITHOUT ROWID;
