-- Issue 17; as migrations/sqlite/013. What a plan's document says that Overblik needs, as of the
-- seq it was taken at; written by the plan's room after its updates are stored, rebuilt from the
-- log by a reader that finds it behind the log.
CREATE TABLE plan_summaries (
  plan_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  summary TEXT NOT NULL
);
-- Per plan, author and section: the author's last stored change of the section. Only ever moves forward.
CREATE TABLE plan_section_changes (
  plan_id TEXT NOT NULL,
  author TEXT NOT NULL,
  section TEXT NOT NULL,
  seq BIGINT NOT NULL,
  time TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (plan_id, author, section)
);
-- From the log as it is: each author's last change of each section so far.
INSERT INTO plan_section_changes (plan_id, author, section, seq, time)
SELECT DISTINCT ON (u.plan_id, u.author, s.section) u.plan_id, u.author, s.section, u.seq, u.time
FROM plan_updates u CROSS JOIN LATERAL unnest(string_to_array(u.sections, ',')) AS s(section)
WHERE u.origin = 'client' AND u.author IS NOT NULL AND u.sections <> ''
ORDER BY u.plan_id, u.author, s.section, u.seq DESC;
