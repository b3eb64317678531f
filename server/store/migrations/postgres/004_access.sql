-- Who may see what beyond the care team: the citizen's objections, break-the-glass grants,
-- and embed links for GPs' practice systems. As migrations/sqlite/004.
CREATE TABLE objections (
  id TEXT PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(id),
  organisation_id TEXT REFERENCES organisations(id),
  user_id TEXT REFERENCES users(id),
  created TEXT COLLATE "C" NOT NULL,
  withdrawn TEXT COLLATE "C",
  CHECK ((organisation_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX objections_by_patient ON objections(patient_id);

CREATE TABLE break_glass (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  patient_id TEXT NOT NULL REFERENCES patients(id),
  plan_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  created TEXT COLLATE "C" NOT NULL,
  expires TEXT COLLATE "C" NOT NULL
);
CREATE INDEX break_glass_by_user ON break_glass(user_id, patient_id);

CREATE TABLE embed_links (
  id TEXT PRIMARY KEY,
  plan_id TEXT NOT NULL,
  access TEXT NOT NULL CHECK (access IN ('edit', 'read')),
  created_by TEXT,
  created_by_system TEXT,
  acts_as TEXT REFERENCES users(id),
  created TEXT COLLATE "C" NOT NULL,
  expires TEXT COLLATE "C" NOT NULL,
  revoked TEXT COLLATE "C"
);

CREATE INDEX audit_by_plan ON audit_log(plan_id);
