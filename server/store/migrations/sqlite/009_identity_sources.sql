-- Who may present an external identity, and what a practice system launched (issue 19 follow-up).
--
-- `source` is the identity provider (`oidc:<id>`) or SMART practice system (`smart:<id>`) an
-- identity arrived through first; another source presenting the same (issuer, subject) is
-- refused (account_conflict). Rows from before this migration have none: the next sign-in
-- through a registered provider records it.
ALTER TABLE external_identities ADD COLUMN source TEXT;

-- The issuer of a practice system's authorization server, pinned at registration (or its first
-- launch): a launch whose smart-configuration names another issuer is refused.
ALTER TABLE smart_clients ADD COLUMN auth_issuer TEXT;

-- An organisation's provider may give the hub-wide admin role only when registered with
-- --allow-admin (providers registered before may not: their admins sign in with a password).
ALTER TABLE identity_providers ADD COLUMN allow_admin INTEGER NOT NULL DEFAULT 0;

-- The practice system whose launch made an embed link: removing it revokes the link.
ALTER TABLE embed_links ADD COLUMN smart_client_id TEXT;
