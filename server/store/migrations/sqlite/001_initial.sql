-- CareHub schema, version 1 (SQLite). Plan history is an append-only log: rows in
-- plan_updates, checkpoints and audit_log are never updated or deleted.
CREATE TABLE organisations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sector TEXT NOT NULL CHECK (sector IN ('hospital', 'municipality', 'general_practice')),
  region TEXT
);

CREATE TABLE patients (
  id TEXT PRIMARY KEY,
  cpr TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created TEXT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('hospital_doctor', 'hospital_nurse', 'municipal_nurse', 'gp', 'citizen', 'admin')),
  organisation_id TEXT REFERENCES organisations(id),
  patient_id TEXT REFERENCES patients(id),
  password_hash TEXT NOT NULL,
  created TEXT NOT NULL
);

CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'completed', 'revoked')),
  created TEXT NOT NULL
);
CREATE INDEX plans_by_patient ON plans(patient_id);

CREATE TABLE care_team_members (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  organisation_id TEXT REFERENCES organisations(id),
  user_id TEXT REFERENCES users(id),
  added TEXT NOT NULL,
  added_by TEXT,
  CHECK ((organisation_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX care_team_by_patient ON care_team_members(patient_id);
CREATE INDEX care_team_by_org ON care_team_members(organisation_id);
CREATE INDEX care_team_by_user ON care_team_members(user_id);

CREATE TABLE plan_updates (
  plan_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  author TEXT,
  origin TEXT NOT NULL,
  time TEXT NOT NULL,
  update_bytes BLOB NOT NULL,
  PRIMARY KEY (plan_id, seq)
) WITHOUT ROWID;

CREATE TABLE plan_checkpoints (
  plan_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state BLOB NOT NULL,
  time TEXT NOT NULL,
  PRIMARY KEY (plan_id, seq)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor_id TEXT,
  action TEXT NOT NULL,
  patient_id TEXT,
  plan_id TEXT,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_by_patient ON audit_log(patient_id);

-- Append-only: the database itself refuses changes to history.
CREATE TRIGGER plan_updates_no_update BEFORE UPDATE ON plan_updates BEGIN SELECT RAISE(ABORT, 'plan_updates is append-only'); END;
CREATE TRIGGER plan_updates_no_delete BEFORE DELETE ON plan_updates BEGIN SELECT RAISE(ABORT, 'plan_updates is append-only'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
