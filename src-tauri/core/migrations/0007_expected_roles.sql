-- Incident Desk schema, version 7: the roles each level expects filled
-- (playbook data, editable: `idesk levels expect`). An unfilled one shows
-- on the board.
CREATE TABLE level_roles (
    level TEXT NOT NULL REFERENCES levels (name) ON UPDATE CASCADE ON DELETE CASCADE,
    role  TEXT NOT NULL CHECK (role IN ('commander', 'deputy', 'scribe', 'communications', 'operations', 'expert', 'support')),
    PRIMARY KEY (level, role)
) WITHOUT ROWID;

INSERT INTO level_roles (level, role)
SELECT 'L1', role FROM (SELECT 'commander' AS role UNION ALL SELECT 'communications' UNION ALL SELECT 'scribe')
 WHERE EXISTS (SELECT 1 FROM levels WHERE name = 'L1');
INSERT INTO level_roles (level, role)
SELECT 'L2', role FROM (SELECT 'commander' AS role UNION ALL SELECT 'support')
 WHERE EXISTS (SELECT 1 FROM levels WHERE name = 'L2');
