-- Incident Desk schema, version 6 (after the stamps are filled in).
CREATE UNIQUE INDEX timeline_entry_id ON timeline (entry_id);
CREATE INDEX timeline_by_stamp ON timeline (incident_id, hlc);
CREATE INDEX timeline_stamps ON timeline (skewed, hlc);
CREATE UNIQUE INDEX incidents_reference ON incidents (reference);
