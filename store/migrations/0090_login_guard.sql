-- One row per name someone tried to sign in as, known or not, so that the count-and-lock is one
-- atomic step for both and their answers cannot tell them apart.
CREATE TABLE login_guard (
	name         TEXT PRIMARY KEY,     -- the username as typed, lower-cased
	failures     INTEGER NOT NULL DEFAULT 0, -- attempts taken since the last success
	locked_until TEXT,
	updated_at   TEXT NOT NULL
);
CREATE INDEX login_guard_updated ON login_guard(updated_at);
