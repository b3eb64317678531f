-- Acknowledgements (and escalations, early releases) are of one version of a result (fix-b,
-- finding 10): an amended critical value must be acknowledged again, and escalation follows
-- the newest version. Events stored before were of the first version; an amendment filed
-- since then is asked about again (it fails safe).
CREATE TABLE result_events_by_version (
  result_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('acknowledged', 'escalated', 'released')),
  user_id TEXT,
  time TEXT NOT NULL,
  PRIMARY KEY (result_id, version, kind)
);
INSERT INTO result_events_by_version (result_id, version, kind, user_id, time)
  SELECT result_id, 1, kind, user_id, time FROM result_events;
DROP TABLE result_events;
ALTER TABLE result_events_by_version RENAME TO result_events;
