-- Issue 17. A critical notification knows the results it asks about: when every one of them is
-- acknowledged it is resolved, for every member of the care team at once.
ALTER TABLE notifications ADD COLUMN resolved TEXT;
CREATE TABLE notification_results (
  notification_id TEXT NOT NULL,
  result_id TEXT NOT NULL,
  PRIMARY KEY (notification_id, result_id)
);
CREATE INDEX notification_results_result ON notification_results(result_id);
-- When each staff member last looked at each plan (Overblik's "seen"): kept on the server, so it
-- follows the person from device to device.
CREATE TABLE plan_views (
  user_id TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  -- The plan's last update then: what changed since is what follows it.
  seq INTEGER NOT NULL,
  seen TEXT NOT NULL,
  PRIMARY KEY (user_id, plan_id)
);
-- The language a person chose for the UI; none kept: Danish.
CREATE TABLE user_settings (
  user_id TEXT PRIMARY KEY,
  language TEXT NOT NULL
);
