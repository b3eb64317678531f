-- Every credential has one scope (issue 14). As migrations/sqlite/005.
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'intake' CHECK (scope IN ('intake', 'practice'));
ALTER TABLE api_keys ADD COLUMN organisation_id TEXT REFERENCES organisations(id);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_practice_organisation CHECK ((scope = 'practice') = (organisation_id IS NOT NULL));

ALTER TABLE embed_links ADD COLUMN created_by_key TEXT REFERENCES api_keys(id);
UPDATE embed_links SET acts_as = created_by WHERE acts_as IS NULL AND created_by IS NOT NULL;
UPDATE embed_links SET revoked = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') WHERE acts_as IS NULL AND revoked IS NULL;
