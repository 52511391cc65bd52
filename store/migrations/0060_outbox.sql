-- Outbound decision webhooks (issue 11). The reason's label is kept with the decision, so an
-- event names it as the reviewer saw it, even after the reason list changes.
ALTER TABLE decisions ADD COLUMN reason_label TEXT NOT NULL DEFAULT '';

-- The outbox. A row is written in the same transaction as the decision, approval, return,
-- reopen or callback that causes it. id is the event's sequence: with one writer, ids commit in
-- order, so a reader that has seen id N has seen every event before it.
CREATE TABLE events (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	msg_id  TEXT    NOT NULL UNIQUE,          -- webhook-id: the same on every retry and replay
	type    TEXT    NOT NULL,
	case_id INTEGER REFERENCES cases(id),     -- NULL for a test event
	at      TEXT    NOT NULL,
	data    TEXT    NOT NULL DEFAULT '{}'     -- EventData JSON, without sequence and caseUrl
);
CREATE INDEX events_type ON events(type, id);
CREATE INDEX events_at ON events(at, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are immutable'); END;

CREATE TABLE webhook_endpoints (
	id               INTEGER PRIMARY KEY,
	url              TEXT    NOT NULL,
	events           TEXT    NOT NULL,                -- ",case.decided,case.returned,": delimited for instr()
	secret           TEXT    NOT NULL,                -- whsec_…
	old_secret       TEXT    NOT NULL DEFAULT '',     -- still signs beside the new one until old_secret_until
	old_secret_until TEXT    NOT NULL DEFAULT '',
	enabled          INTEGER NOT NULL DEFAULT 1,
	disabled_reason  TEXT    NOT NULL DEFAULT '',
	disabled_at      TEXT    NOT NULL DEFAULT '',
	failing_since    TEXT    NOT NULL DEFAULT '',     -- first failure since the last success
	last_success_at  TEXT    NOT NULL DEFAULT '',
	created_at       TEXT    NOT NULL,
	created_by       TEXT    NOT NULL DEFAULT ''
);

-- One event to one endpoint: a delivery job. A replay adds a row for the same event.
CREATE TABLE webhook_messages (
	id              INTEGER PRIMARY KEY,
	endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints(id),
	event_id        INTEGER NOT NULL REFERENCES events(id),
	case_id         INTEGER,                          -- per-case order; NULL for a test event
	state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
	trigger         TEXT    NOT NULL DEFAULT 'scheduled' CHECK (trigger IN ('scheduled', 'manual', 'replay')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT    NOT NULL,
	created_at      TEXT    NOT NULL,
	finished_at     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX webhook_messages_due ON webhook_messages(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX webhook_messages_order ON webhook_messages(endpoint_id, case_id, event_id) WHERE state = 'pending';
CREATE INDEX webhook_messages_endpoint ON webhook_messages(endpoint_id, id);

-- Every attempt, for the delivery log.
CREATE TABLE webhook_attempts (
	id          INTEGER PRIMARY KEY,
	message_id  INTEGER NOT NULL REFERENCES webhook_messages(id),
	endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints(id),
	at          TEXT    NOT NULL,
	trigger     TEXT    NOT NULL,
	result      TEXT    NOT NULL CHECK (result IN ('delivered', 'failed', 'refused', 'timeout')),
	status_code INTEGER NOT NULL DEFAULT 0,
	response    TEXT    NOT NULL DEFAULT '',          -- the first 2 KB of the response body
	error       TEXT    NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_attempts_message ON webhook_attempts(message_id, id);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts(endpoint_id, id);

-- Read-API tokens: only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	name         TEXT    NOT NULL,
	hash         TEXT    NOT NULL UNIQUE,
	hint         TEXT    NOT NULL,                    -- the token's first characters, to tell tokens apart
	scopes       TEXT    NOT NULL,                    -- comma-separated
	created_at   TEXT    NOT NULL,
	created_by   TEXT    NOT NULL DEFAULT '',
	revoked_at   TEXT    NOT NULL DEFAULT '',
	last_used_at TEXT    NOT NULL DEFAULT '',
	uses         INTEGER NOT NULL DEFAULT 0
);
