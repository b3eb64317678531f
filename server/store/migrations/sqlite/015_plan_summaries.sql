-- Issue 17, Overblik kept up to date instead of rebuilt per request. What a plan's document says
-- that Overblik needs (its title, its open tasks with the seqs their sectors changed at), as of
-- the seq it was taken at; written by the plan's room after its updates are stored, rebuilt
-- from the log by a reader that finds it behind the log.
CREATE TABLE plan_summaries (
  plan_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  summary TEXT NOT NULL
);
-- Per plan, author and section: the author's last stored change of the section (Overblik's
-- "changed since you looked": who, which sections, when). Only ever moves forward.
CREATE TABLE plan_section_changes (
  plan_id TEXT NOT NULL,
  author TEXT NOT NULL,
  section TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time TEXT NOT NULL,
  PRIMARY KEY (plan_id, author, section)
);
-- From the log as it is: each author's last change of each section so far.
INSERT INTO plan_section_changes (plan_id, author, section, seq, time)
SELECT u.plan_id, u.author, s.value, MAX(u.seq), u.time
FROM plan_updates u, json_each('["' || replace(u.sections, ',', '","') || '"]') s
WHERE u.origin = 'client' AND u.author IS NOT NULL AND u.sections <> ''
GROUP BY u.plan_id, u.author, s.value;
