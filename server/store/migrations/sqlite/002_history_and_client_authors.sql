-- The sections each update changed (history view), and which user wrote with which Yjs
-- client id (to name both authors of a value conflict).
ALTER TABLE plan_updates ADD COLUMN sections TEXT NOT NULL DEFAULT '';

CREATE TABLE plan_client_authors (
  plan_id TEXT NOT NULL,
  client_id INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (plan_id, client_id)
) WITHOUT ROWID;
