-- Signing in through the organisations' identity providers (OpenID Connect) and SMART App
-- Launch from GP practice systems (issue 19).
--
-- An identity provider belongs to one organisation, or is the citizens' login (no
-- organisation, a CPR claim instead of a role map). Client secrets are never stored: only the
-- name of the environment variable that holds one. Removed providers and SMART clients are
-- kept (marked `removed`), so the audit trail can still name them.
CREATE TABLE identity_providers (
  id TEXT PRIMARY KEY,
  organisation_id TEXT REFERENCES organisations(id),
  name TEXT NOT NULL,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret_env TEXT,
  scopes TEXT NOT NULL,
  role_claim TEXT,
  role_map TEXT NOT NULL,
  cpr_claim TEXT,
  organisation_claim TEXT,
  organisation_value TEXT,
  created TEXT NOT NULL,
  removed TEXT,
  CHECK ((organisation_id IS NULL) = (cpr_claim IS NOT NULL)),
  CHECK (organisation_id IS NULL OR role_claim IS NOT NULL),
  CHECK ((organisation_claim IS NULL) = (organisation_value IS NULL))
);

-- A GP practice system that launches CareHub (SMART App Launch): its FHIR server's base URL
-- is the `iss` of its launches; only `frame_origin` may frame the launched pages.
CREATE TABLE smart_clients (
  id TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  name TEXT NOT NULL,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret_env TEXT,
  frame_origin TEXT NOT NULL,
  created TEXT NOT NULL,
  removed TEXT
);
CREATE UNIQUE INDEX smart_clients_by_issuer ON smart_clients(issuer) WHERE removed IS NULL;

-- A person as an identity provider knows them: (issuer, subject) is one CareHub user.
CREATE TABLE external_identities (
  issuer TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  created TEXT NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_by_user ON external_identities(user_id);

-- Sign-ins in progress (state, nonce, PKCE verifier) and one-time codes that hand the browser
-- its session, keyed by a hash of the random value the browser holds: any node may finish a
-- sign-in another began, and each row is taken (deleted) once.
CREATE TABLE sign_in_pending (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('state', 'handoff')),
  payload TEXT NOT NULL,
  expires TEXT NOT NULL
);
CREATE INDEX sign_in_pending_by_expiry ON sign_in_pending(expires);

-- A user whose identity provider no longer gives them a role: their sessions are refused.
ALTER TABLE users ADD COLUMN disabled TEXT;
