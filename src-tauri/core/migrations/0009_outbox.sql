-- Incident Desk schema, version 9: the publishing outbox (publish_queue; the
-- `outbox` table is team sync's). "Publish" queues a message
-- for a service (a webhook, Matrix, Slack, Statuspage, email); it is marked
-- sent only when the service confirms. The queue is this laptop's work
-- (attempts, next try, last error); the timeline says queued, sent, failed
-- or cancelled, so every laptop sees where a message is.
ALTER TABLE communications ADD COLUMN queued_to TEXT;
ALTER TABLE communications ADD COLUMN publish_error TEXT;
-- The service that confirmed a message, and the incident's thread or page
-- there (the Statuspage incident, the Slack thread): from the timeline, so
-- every laptop's next message goes to the same one.
ALTER TABLE communications ADD COLUMN sent_via TEXT;
ALTER TABLE communications ADD COLUMN service_thread TEXT;
-- A channel can publish to a Matrix room, a Slack channel, a Statuspage
-- page, or mailing lists over SMTP (tokens, keys and passwords are in the
-- desktop's secret store, never here). Slack, Statuspage and email settings
-- are JSON, checked by the core before they are written.
ALTER TABLE channel_settings ADD COLUMN matrix_homeserver TEXT;
ALTER TABLE channel_settings ADD COLUMN matrix_room TEXT;
ALTER TABLE channel_settings ADD COLUMN slack TEXT;
ALTER TABLE channel_settings ADD COLUMN statuspage TEXT;
ALTER TABLE channel_settings ADD COLUMN email TEXT;

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
