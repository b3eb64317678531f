-- The sections each update changed (history view), and which user wrote with which Yjs
-- client id (to name both authors of a value conflict). As migrations/sqlite/002.
ALTER TABLE plan_updates ADD COLUMN sections TEXT NOT NULL DEFAULT '';

-- client_id is BIGINT: a Yjs client id is an unsigned 32-bit number, beyond INTEGER's range.
CREATE TABLE plan_client_authors (
  plan_id TEXT NOT NULL,
  client_id BIGINT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (plan_id, client_id)
);
