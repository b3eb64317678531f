-- A notification carries a kind and its parameters; the client words it in the reader's
-- language (issue 15). One stored before keeps the words the server wrote then, as kind `text`.
ALTER TABLE notifications ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
UPDATE notifications SET kind = 'text', params = json_object('text', text);
ALTER TABLE notifications DROP COLUMN text;
