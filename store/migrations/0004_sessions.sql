-- Server-side session records: the cookie carries only the random session ID, so logout,
-- disabling a user or a password reset ends the session everywhere.
CREATE TABLE sessions (
	id           TEXT    PRIMARY KEY,  -- sha256 of the random token in the cookie
	user_id      INTEGER NOT NULL REFERENCES users(id),
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL,
	remote_addr  TEXT    NOT NULL DEFAULT '',
	user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
