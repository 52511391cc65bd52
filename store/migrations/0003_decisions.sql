-- Decisions are immutable: a reopen or a send-back adds rows, never changes them.
CREATE TABLE decisions (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	outcome     TEXT    NOT NULL CHECK (outcome IN ('allow', 'decline')),
	reason_code TEXT    NOT NULL,
	note        TEXT    NOT NULL DEFAULT '',
	decided_by  INTEGER NOT NULL REFERENCES users(id),
	decided_at  TEXT    NOT NULL,
	needs_approval INTEGER NOT NULL DEFAULT 0,
	delivery_id INTEGER REFERENCES deliveries(id) -- the snapshot the reviewer saw
);
CREATE INDEX decisions_case ON decisions(case_id, id);
CREATE INDEX decisions_by ON decisions(decided_by, decided_at);
CREATE INDEX decisions_at ON decisions(decided_at);

CREATE TABLE approvals (
	id          INTEGER PRIMARY KEY,
	decision_id INTEGER NOT NULL REFERENCES decisions(id),
	verdict     TEXT    NOT NULL CHECK (verdict IN ('approved', 'returned')),
	reason      TEXT    NOT NULL DEFAULT '',
	by_user     INTEGER NOT NULL REFERENCES users(id),
	at          TEXT    NOT NULL
);
CREATE INDEX approvals_decision ON approvals(decision_id);

CREATE TABLE reopens (
	id       INTEGER PRIMARY KEY,
	case_id  INTEGER NOT NULL REFERENCES cases(id),
	reason   TEXT    NOT NULL,
	by_user  INTEGER NOT NULL REFERENCES users(id),
	at       TEXT    NOT NULL
);
CREATE INDEX reopens_case ON reopens(case_id);
