-- Who set up each account: the admin who created it, the admin who last changed its roles, and
-- the second admin who approved that change (NULL: the desk itself, the command line, or no
-- approval needed). Filled from the audit log for accounts that exist already.
ALTER TABLE users ADD COLUMN created_by INTEGER REFERENCES users(id);
ALTER TABLE users ADD COLUMN roles_changed_by INTEGER REFERENCES users(id);
ALTER TABLE users ADD COLUMN roles_approved_by INTEGER REFERENCES users(id);
UPDATE users SET
	created_by = (SELECT a.actor_id FROM audit_log a WHERE a.action = 'user.create' AND a.target_type = 'user'
		AND a.target_id = users.username AND a.actor_id > 0 ORDER BY a.id DESC LIMIT 1),
	roles_changed_by = (SELECT a.actor_id FROM audit_log a WHERE a.action = 'user.update' AND a.target_type = 'user'
		AND a.target_id = users.username AND a.actor_id > 0 AND json_extract(a.details, '$.roles') IS NOT NULL
		ORDER BY a.id DESC LIMIT 1);

-- A grant of reviewer or supervisor waiting for a second admin (while four-eyes is on). roles is
-- the whole role list the account gets when it is approved.
CREATE TABLE role_grants (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id),
	roles        TEXT    NOT NULL,
	requested_by INTEGER NOT NULL REFERENCES users(id),
	requested_at TEXT    NOT NULL,
	state        TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'superseded')),
	decided_by   INTEGER REFERENCES users(id),
	decided_at   TEXT
);
CREATE INDEX role_grants_pending ON role_grants(user_id) WHERE state = 'pending';
