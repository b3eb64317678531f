-- Results for a CPR number no patient is registered with (fix-b, finding 1). They are
-- answered like filed ones, so that an API key cannot learn whether someone is registered in
-- CareHub, and kept here, unmatched, for an administrator to see (never in a plan). Versions
-- as for results: a replay answers as the first time, an amendment is a new version.
-- body: the submission as received (JSON text, CPR number included), as results.body.
CREATE TABLE held_results (
  id TEXT PRIMARY KEY,
  held_id TEXT NOT NULL,
  source_system TEXT NOT NULL,
  identifier TEXT NOT NULL,
  version INTEGER NOT NULL,
  payload_hash TEXT NOT NULL,
  body TEXT NOT NULL,
  received TEXT NOT NULL,
  UNIQUE (source_system, identifier, version)
);
CREATE INDEX held_results_by_received ON held_results(received);
