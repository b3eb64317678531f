-- CareHub schema, version 1 (PostgreSQL), the counterpart of migrations/sqlite/001_initial.sql.
-- Plan history is an append-only log: rows in plan_updates, plan_checkpoints and audit_log are
-- never updated or deleted.
--
-- Times are TEXT holding the ISO 8601 strings the hub writes (as in SQLite), not timestamptz:
-- the audit hash covers the exact string, and the contract is that both stores give back
-- byte-for-byte what was written. COLLATE "C" makes comparing and sorting them plain
-- byte order (ISO strings of one format sort chronologically), whatever the database's locale.
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
  created TEXT COLLATE "C" NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('hospital_doctor', 'hospital_nurse', 'municipal_nurse', 'gp', 'citizen', 'admin')),
  organisation_id TEXT REFERENCES organisations(id),
  patient_id TEXT REFERENCES patients(id),
  password_hash TEXT NOT NULL,
  created TEXT COLLATE "C" NOT NULL
);
CREATE INDEX users_by_org ON users(organisation_id);
CREATE INDEX users_by_patient ON users(patient_id);

CREATE TABLE plans (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'completed', 'revoked')),
  created TEXT COLLATE "C" NOT NULL
);
CREATE INDEX plans_by_patient ON plans(patient_id);

CREATE TABLE care_team_members (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  organisation_id TEXT REFERENCES organisations(id),
  user_id TEXT REFERENCES users(id),
  added TEXT COLLATE "C" NOT NULL,
  added_by TEXT,
  CHECK ((organisation_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX care_team_by_patient ON care_team_members(patient_id);
CREATE INDEX care_team_by_org ON care_team_members(organisation_id);
CREATE INDEX care_team_by_user ON care_team_members(user_id);

-- The last seq given out per plan. Appending takes this row's lock (INSERT … ON CONFLICT DO
-- UPDATE … RETURNING) until commit, so with several nodes appending to one plan the seqs are
-- gap-free and commit in seq order: a reader that sees seq N+1 has N committed before it.
-- Rolled back with the append, so a failed batch leaves no gap either.
CREATE TABLE plan_seqs (
  plan_id TEXT PRIMARY KEY,
  last_seq BIGINT NOT NULL CHECK (last_seq > 0)
);

CREATE TABLE plan_updates (
  plan_id TEXT NOT NULL,
  seq BIGINT NOT NULL CHECK (seq > 0),
  author TEXT,
  origin TEXT NOT NULL,
  time TEXT COLLATE "C" NOT NULL,
  update_bytes BYTEA NOT NULL,
  PRIMARY KEY (plan_id, seq)
);

CREATE TABLE plan_checkpoints (
  plan_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  state BYTEA NOT NULL,
  time TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (plan_id, seq)
);

-- details is TEXT, not jsonb: the hash chain covers JSON.stringify(details), and jsonb would
-- reorder keys and rewrite numbers, so `carehub audit verify` would find every entry changed.
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY CHECK (seq > 0),
  time TEXT COLLATE "C" NOT NULL,
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

-- Append-only: the database itself refuses changes to history (as the SQLite triggers do),
-- TRUNCATE included.
CREATE FUNCTION carehub_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER plan_updates_append_only BEFORE UPDATE OR DELETE ON plan_updates FOR EACH ROW EXECUTE FUNCTION carehub_append_only();
CREATE TRIGGER plan_updates_no_truncate BEFORE TRUNCATE ON plan_updates FOR EACH STATEMENT EXECUTE FUNCTION carehub_append_only();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION carehub_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION carehub_append_only();
