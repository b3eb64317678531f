-- Results from lab, imaging and hospital systems; their API keys; acknowledgements and the
-- notifications that tell the care team. As migrations/sqlite/003.
-- body and plans are JSON kept as TEXT, as written, like SQLite: jsonb would reorder keys.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  system TEXT NOT NULL,
  key_hash TEXT NOT NULL,
  created TEXT COLLATE "C" NOT NULL,
  revoked TEXT COLLATE "C"
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
  filed TEXT COLLATE "C" NOT NULL,
  critical BOOLEAN NOT NULL,
  release_at TEXT COLLATE "C" NOT NULL,
  plans TEXT NOT NULL,
  UNIQUE (source_system, identifier, version)
);
CREATE INDEX results_by_patient ON results(patient_id);
CREATE INDEX results_by_result ON results(result_id);
CREATE INDEX results_critical ON results(filed) WHERE critical AND version = 1;

CREATE TABLE result_events (
  result_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('acknowledged', 'escalated', 'released')),
  user_id TEXT,
  time TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (result_id, kind)
);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  text TEXT NOT NULL,
  created TEXT COLLATE "C" NOT NULL,
  seen TEXT COLLATE "C"
);
CREATE INDEX notifications_unseen ON notifications(user_id) WHERE seen IS NULL;
