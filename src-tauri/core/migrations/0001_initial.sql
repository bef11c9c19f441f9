-- Incident Desk schema, version 1.
CREATE TABLE levels (
    name        TEXT PRIMARY KEY NOT NULL CHECK (length(name) BETWEEN 1 AND 16),
    description TEXT NOT NULL,
    rank        INTEGER NOT NULL UNIQUE
) STRICT;

INSERT INTO levels (name, description, rank) VALUES
    ('L1', 'Major: handled by pretty much everybody.', 1),
    ('L2', 'Minor: handled by the on-call engineer, with Support/Sales handling customer communication.', 2);

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY NOT NULL,
    seq         INTEGER NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('outage', 'degradation', 'security', 'user_issue')),
    level       TEXT NOT NULL REFERENCES levels (name),
    status      TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    declared_at INTEGER NOT NULL,
    closed_at   INTEGER
) STRICT;
