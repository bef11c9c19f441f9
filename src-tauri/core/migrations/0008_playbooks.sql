-- Incident Desk schema, version 8: playbooks. A checklist per incident kind
-- and level (data, editable in Settings and as a file), and on each incident
-- the items marked, the live tasks and the hypotheses' marks: folded from
-- the timeline like the rest of its state, kept as JSON beside it.
ALTER TABLE incidents ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN tasks TEXT NOT NULL DEFAULT '[]';
ALTER TABLE incidents ADD COLUMN hypotheses TEXT NOT NULL DEFAULT '[]';
-- An alert that reports a deploy or change (from CI or a change tool):
-- attached to an incident, it is a change the rollback prompt considers.
ALTER TABLE alerts ADD COLUMN change INTEGER NOT NULL DEFAULT 0 CHECK (change IN (0, 1));

CREATE TABLE playbook_items (
    kind       TEXT NOT NULL CHECK (kind IN ('outage', 'degradation', 'security', 'user_issue')),
    level      TEXT NOT NULL REFERENCES levels (name) ON UPDATE CASCADE ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    key        TEXT NOT NULL,
    stage      TEXT NOT NULL CHECK (stage IN ('identify', 'classify', 'communicate', 'remediate', 'diagnose', 'repair', 'review')),
    text       TEXT NOT NULL,
    owner_role TEXT CHECK (owner_role IN ('commander', 'deputy', 'scribe', 'communications', 'operations', 'expert', 'support')),
    due_hours  INTEGER CHECK (due_hours > 0),
    PRIMARY KEY (kind, level, key)
) WITHOUT ROWID;
