-- A notification carries a kind and its parameters (issue 15). As migrations/sqlite/006.
-- params is JSON kept as TEXT, as written, like a result's body.
ALTER TABLE notifications ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
UPDATE notifications SET kind = 'text', params = json_build_object('text', text)::text;
ALTER TABLE notifications DROP COLUMN text;
