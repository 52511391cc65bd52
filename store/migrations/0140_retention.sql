-- Retention (issue 17): legal holds, and a tombstone for every item a purge removes.

-- A hold on one case (case_id) or on every case of a client (client_id); lifted when lifted_at is set.
CREATE TABLE legal_holds (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER REFERENCES cases(id),
	client_id   TEXT    NOT NULL DEFAULT '',
	reason      TEXT    NOT NULL,
	set_by      INTEGER NOT NULL REFERENCES users(id),
	set_at      TEXT    NOT NULL,
	lifted_by   INTEGER REFERENCES users(id),
	lifted_at   TEXT,
	lift_reason TEXT    NOT NULL DEFAULT '',
	CHECK ((case_id IS NULL) <> (client_id = ''))
);
CREATE INDEX legal_holds_case ON legal_holds(case_id) WHERE lifted_at IS NULL;
CREATE INDEX legal_holds_client ON legal_holds(client_id) WHERE lifted_at IS NULL;

-- What a purge removed: the item, the SHA-256 and size of its bytes, when, and under which policy.
-- Tombstones are the proof of purge and are never changed.
CREATE TABLE retention_tombstones (
	id        INTEGER PRIMARY KEY,
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	kind      TEXT    NOT NULL CHECK (kind IN ('media', 'raw_body', 'personal_fields')),
	item      TEXT    NOT NULL, -- e.g. "media 12 FRONT", "delivery 7"
	sha256    TEXT    NOT NULL,
	size      INTEGER NOT NULL,
	purged_at TEXT    NOT NULL,
	policy    TEXT    NOT NULL,
	audit_id  INTEGER NOT NULL -- the retention.purge audit entry written in the same transaction
);
CREATE INDEX retention_tombstones_case ON retention_tombstones(case_id, id);
CREATE INDEX retention_tombstones_at ON retention_tombstones(purged_at, id);
CREATE TRIGGER retention_tombstones_no_update BEFORE UPDATE ON retention_tombstones
BEGIN SELECT RAISE(ABORT, 'tombstones are never changed'); END;
CREATE TRIGGER retention_tombstones_no_delete BEFORE DELETE ON retention_tombstones
BEGIN SELECT RAISE(ABORT, 'tombstones are never deleted'); END;

-- When each case's media and personal fields were purged (NULL: not yet).
ALTER TABLE cases ADD COLUMN media_purged_at TEXT;
ALTER TABLE cases ADD COLUMN media_purge_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN pseudonymised_at TEXT;
