-- Raw deliveries are the source of truth; cases are derived from them and can be rebuilt by replay.
CREATE TABLE deliveries (
	id            INTEGER PRIMARY KEY,
	source        TEXT    NOT NULL,
	received_at   TEXT    NOT NULL,
	remote_addr   TEXT    NOT NULL DEFAULT '',
	headers       TEXT    NOT NULL DEFAULT '{}',
	body          BLOB,              -- NULL for a duplicate: the first delivery holds the bytes
	sha256        TEXT    NOT NULL,
	size          INTEGER NOT NULL,
	outcome       TEXT    NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'quarantined')),
	error         TEXT    NOT NULL DEFAULT '',
	duplicate_of  INTEGER REFERENCES deliveries(id),
	case_id       INTEGER REFERENCES cases(id),
	ref           TEXT    NOT NULL DEFAULT '',
	-- A summary of what this delivery said, for the case history.
	final         INTEGER,
	overall       TEXT    NOT NULL DEFAULT '',
	auto_document TEXT    NOT NULL DEFAULT '',
	auto_face     TEXT    NOT NULL DEFAULT '',
	manual_document TEXT  NOT NULL DEFAULT '',
	manual_face   TEXT    NOT NULL DEFAULT '',
	fraud_tags    TEXT    NOT NULL DEFAULT '[]',
	mismatch_tags TEXT    NOT NULL DEFAULT '[]',
	applied       INTEGER NOT NULL DEFAULT 0, -- 1 when this delivery became the case's authoritative snapshot
	duplicates    INTEGER NOT NULL DEFAULT 0  -- re-deliveries of these exact bytes
);
-- One first delivery per (source, bytes); byte-identical retries become 'duplicate' rows pointing at it.
CREATE UNIQUE INDEX deliveries_first ON deliveries(source, sha256) WHERE outcome <> 'duplicate';
CREATE INDEX deliveries_case ON deliveries(case_id, id);
CREATE INDEX deliveries_outcome ON deliveries(outcome, id);
CREATE INDEX deliveries_source_time ON deliveries(source, received_at);

CREATE TABLE cases (
	id                INTEGER PRIMARY KEY,
	source            TEXT    NOT NULL,
	ref               TEXT    NOT NULL,
	client_id         TEXT    NOT NULL DEFAULT '',
	external_ref      TEXT    NOT NULL DEFAULT '',
	full_name         TEXT    NOT NULL DEFAULT '',
	doc_number        TEXT    NOT NULL DEFAULT '',
	doc_country       TEXT    NOT NULL DEFAULT '',
	ip_country        TEXT    NOT NULL DEFAULT '',
	overall           TEXT    NOT NULL DEFAULT '',
	final             INTEGER NOT NULL DEFAULT 0,
	auto_document     TEXT    NOT NULL DEFAULT '',
	auto_face         TEXT    NOT NULL DEFAULT '',
	manual_document   TEXT    NOT NULL DEFAULT '',
	manual_face       TEXT    NOT NULL DEFAULT '',
	fraud_tags        TEXT    NOT NULL DEFAULT '[]',
	mismatch_tags     TEXT    NOT NULL DEFAULT '[]',
	rank              INTEGER NOT NULL DEFAULT 0,     -- authority of the applied snapshot: final > auto
	snapshot          TEXT    NOT NULL DEFAULT '{}',  -- normalized Snapshot JSON of the authoritative delivery
	snapshot_delivery INTEGER REFERENCES deliveries(id),
	review_state      TEXT    NOT NULL CHECK (review_state IN ('needs_decision', 'informational', 'pending_approval', 'decided')),
	changed_after_decision INTEGER NOT NULL DEFAULT 0,
	delivery_count    INTEGER NOT NULL DEFAULT 0,
	first_received_at TEXT    NOT NULL,
	last_received_at  TEXT    NOT NULL,
	waiting_since     TEXT    NOT NULL,
	claimed_by        INTEGER,
	claimed_at        TEXT,
	claim_touched_at  TEXT,
	UNIQUE (source, ref)
);
CREATE INDEX cases_queue ON cases(review_state, waiting_since, id);
CREATE INDEX cases_all ON cases(waiting_since, id);
CREATE INDEX cases_client ON cases(client_id);
CREATE INDEX cases_doc_number ON cases(doc_number);
CREATE INDEX cases_ref ON cases(ref);
CREATE INDEX cases_claim ON cases(claimed_by);

-- Tags as rows so the queue can filter on them with an index.
CREATE TABLE case_tags (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	kind    TEXT    NOT NULL CHECK (kind IN ('fraud', 'mismatch')),
	tag     TEXT    NOT NULL,
	PRIMARY KEY (case_id, kind, tag)
) WITHOUT ROWID;
CREATE INDEX case_tags_tag ON case_tags(kind, tag, case_id);

-- Full-text search over names and references; docid = cases.id.
CREATE VIRTUAL TABLE case_search USING fts4(body, tokenize=unicode61);

-- Every media URL a delivery named; the archive fetches and keeps them.
CREATE TABLE media (
	id            INTEGER PRIMARY KEY,
	case_id       INTEGER NOT NULL REFERENCES cases(id),
	delivery_id   INTEGER NOT NULL REFERENCES deliveries(id),
	kind          TEXT    NOT NULL,
	label         TEXT    NOT NULL DEFAULT '',
	position      INTEGER NOT NULL DEFAULT 0,
	url           TEXT    NOT NULL,
	state         TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'archived', 'failed', 'purged')),
	sha256        TEXT    NOT NULL DEFAULT '',
	size          INTEGER NOT NULL DEFAULT 0,
	content_type  TEXT    NOT NULL DEFAULT '',
	fetched_at    TEXT,
	attempts      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT    NOT NULL DEFAULT '',
	next_attempt_at TEXT  NOT NULL,
	queued_at     TEXT    NOT NULL,
	UNIQUE (case_id, kind, url)
);
CREATE INDEX media_case ON media(case_id, position, id);
CREATE INDEX media_due ON media(state, next_attempt_at);
CREATE INDEX media_sha ON media(sha256);
