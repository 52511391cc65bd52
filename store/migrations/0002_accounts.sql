CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	display_name  TEXT    NOT NULL DEFAULT '',
	password_hash TEXT    NOT NULL,
	roles         TEXT    NOT NULL DEFAULT '',   -- comma-separated: reviewer,supervisor,admin,auditor
	disabled      INTEGER NOT NULL DEFAULT 0,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT,
	password_changed_at TEXT NOT NULL,
	created_at    TEXT    NOT NULL
);

-- Append-only, hash-chained. No code path updates or deletes these rows.
CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          TEXT    NOT NULL,
	actor       TEXT    NOT NULL,
	actor_id    INTEGER,
	action      TEXT    NOT NULL,
	target_type TEXT    NOT NULL DEFAULT '',
	target_id   TEXT    NOT NULL DEFAULT '',
	case_id     INTEGER,
	details     TEXT    NOT NULL DEFAULT '{}',
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL
);
CREATE INDEX audit_at ON audit_log(at, id);
CREATE INDEX audit_actor ON audit_log(actor, id);
CREATE INDEX audit_action ON audit_log(action, id);
CREATE INDEX audit_case ON audit_log(case_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
