-- Every credential has one scope (issue 14). An API key is either a lab's, imaging's or
-- hospital's intake key (results, encounters: what every existing key was used for) or a
-- practice system's key, bound to one organisation (embed links for its own patients).
ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'intake' CHECK (scope IN ('intake', 'practice'));
ALTER TABLE api_keys ADD COLUMN organisation_id TEXT REFERENCES organisations(id)
  CHECK ((scope = 'practice') = (organisation_id IS NOT NULL));

-- An embed session acts as one person: the link's creator, or the staff member a practice
-- system's key named. `created_by_key` is the key that made the link (its organisation may
-- revoke it). Links made before this by a person act as that person; links a system made
-- without naming anyone cannot act as anybody and are revoked.
ALTER TABLE embed_links ADD COLUMN created_by_key TEXT REFERENCES api_keys(id);
UPDATE embed_links SET acts_as = created_by WHERE acts_as IS NULL AND created_by IS NOT NULL;
UPDATE embed_links SET revoked = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE acts_as IS NULL AND revoked IS NULL;
