-- Acknowledgements (and escalations, early releases) are of one version of a result (fix-b,
-- finding 10): an amended critical value must be acknowledged again, and escalation follows
-- the newest version. As migrations/sqlite/011. Events stored before were of the first
-- version; an amendment filed since then is asked about again (it fails safe).
ALTER TABLE result_events ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE result_events ALTER COLUMN version DROP DEFAULT;
ALTER TABLE result_events DROP CONSTRAINT result_events_pkey;
ALTER TABLE result_events ADD PRIMARY KEY (result_id, version, kind);
DROP INDEX IF EXISTS results_critical;
CREATE INDEX results_critical ON results(filed) WHERE critical;
