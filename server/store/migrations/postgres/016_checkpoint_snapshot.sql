-- Issue 20, cold plans answered from their stored bytes. A checkpoint keeps, beside the plan's
-- state, its Yjs snapshot (state vector and delete set, Y.encodeSnapshot), taken from the same
-- document at the same moment: a plan opened from the bytes knows what it holds without
-- decoding every struct (its sync step 1 to clients, an update that adds nothing). NULL for
-- checkpoints written before, which are read from their bytes as before.
ALTER TABLE plan_checkpoints ADD COLUMN snapshot BYTEA;
