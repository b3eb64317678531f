-- Results from lab, imaging and hospital systems; their API keys; acknowledgements and the
-- notifications that tell the care team.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  system TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created TEXT NOT NULL,
  revoked TEXT
);

CREATE TABLE results (
  id TEXT PRIMARY KEY,
  source_system TEXT NOT NULL,
  identifier TEXT NOT NULL,
  version INTEGER NOT NULL,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  -- The result's hub id as first filed; amendments share it.
  result_id TEXT NOT NULL,
  payload_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  filed TEXT NOT NULL,
  critical INTEGER NOT NULL,
  release_at TEXT NOT NULL,
  plans TEXT NOT NULL,
  UNIQUE (source_system, identifier, version)
);
CREATE INDEX results_by_patient ON results(patient_id);
CREATE INDEX results_by_result ON results(result_id);

CREATE TABLE result_events (
  result_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('acknowledged', 'escalated', 'released')),
  user_id TEXT,
  time TEXT NOT NULL,
  PRIMARY KEY (result_id, kind)
);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  text TEXT NOT NULL,
  created TEXT NOT NULL,
  seen TEXT
);
CREATE INDEX notifications_unseen ON notifications(user_id, seen);
