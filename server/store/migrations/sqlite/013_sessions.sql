-- Signed-in sessions are kept on the server: a session token names its row, and every use looks
-- it up, so signing out, removing the identity provider or ending the account ends the session
-- at once on every node, open connections included (finding 9 of issue 19's review).
CREATE TABLE sign_in_sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  provider_id TEXT,
  started TEXT NOT NULL,
  expires TEXT NOT NULL,
  ended TEXT,
  ended_reason TEXT
);
CREATE INDEX sign_in_sessions_provider ON sign_in_sessions(provider_id) WHERE ended IS NULL;
CREATE INDEX sign_in_sessions_expires ON sign_in_sessions(expires);
