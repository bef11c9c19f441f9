-- Incident Desk schema, version 3: message templates, publishing settings,
-- approval per level, and what a message announces.

ALTER TABLE communications ADD COLUMN subject TEXT;
-- The public status the message announces (set on the incident when sent).
ALTER TABLE communications ADD COLUMN announces TEXT
    CHECK (announces IS NULL OR announces IN ('investigating', 'identified', 'monitoring', 'resolved'));
-- Where it was published (a webhook's masked address), if it was.
ALTER TABLE communications ADD COLUMN published_to TEXT;

-- Whether drafts need the commander's approval before they are sent.
ALTER TABLE policies ADD COLUMN approval INTEGER NOT NULL DEFAULT 0 CHECK (approval IN (0, 1));
UPDATE policies SET approval = 1 WHERE level = 'L1';

CREATE TABLE templates (
    name     TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    channel  TEXT NOT NULL CHECK (channel IN ('status_page', 'social', 'email', 'internal', 'support')),
    -- The public status this template is for; NULL: any.
    status   TEXT CHECK (status IS NULL OR status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    -- 1: the wording for security incidents.
    security INTEGER NOT NULL DEFAULT 0 CHECK (security IN (0, 1)),
    subject  TEXT NOT NULL DEFAULT '',
    body     TEXT NOT NULL,
    builtin  INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
) STRICT;

-- Publishing a channel's messages to a webhook (optional). The URL is a secret.
CREATE TABLE channel_settings (
    channel      TEXT PRIMARY KEY NOT NULL CHECK (channel IN ('status_page', 'social', 'email', 'internal', 'support')),
    webhook_url  TEXT,
    format       TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    timeout_secs INTEGER NOT NULL DEFAULT 10 CHECK (timeout_secs BETWEEN 1 AND 120)
) STRICT;
