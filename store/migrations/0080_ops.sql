-- /readyz proves that the database takes writes by rewriting this one row.
CREATE TABLE readiness_probe (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	checked_at TEXT    NOT NULL
);

-- Rows per review state (cases) and per fetch state (media), kept by triggers in the same
-- transaction as the change, so a /metrics scrape reads eight rows instead of counting millions.
CREATE TABLE state_counts (
	kind  TEXT    NOT NULL,
	state TEXT    NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (kind, state)
) WITHOUT ROWID;

INSERT INTO state_counts (kind, state, n)
	SELECT 'case', s.state, (SELECT COUNT(*) FROM cases WHERE review_state = s.state)
	FROM (SELECT 'needs_decision' AS state UNION ALL SELECT 'informational'
	      UNION ALL SELECT 'pending_approval' UNION ALL SELECT 'decided') AS s;
INSERT INTO state_counts (kind, state, n)
	SELECT 'media', s.state, (SELECT COUNT(*) FROM media WHERE state = s.state)
	FROM (SELECT 'queued' AS state UNION ALL SELECT 'archived'
	      UNION ALL SELECT 'failed' UNION ALL SELECT 'purged') AS s;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases BEGIN
	UPDATE state_counts SET n = n + 1 WHERE kind = 'case' AND state = NEW.review_state;
END;
CREATE TRIGGER cases_count_update AFTER UPDATE OF review_state ON cases
	WHEN OLD.review_state IS NOT NEW.review_state BEGIN
	UPDATE state_counts SET n = n - 1 WHERE kind = 'case' AND state = OLD.review_state;
	UPDATE state_counts SET n = n + 1 WHERE kind = 'case' AND state = NEW.review_state;
END;
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases BEGIN
	UPDATE state_counts SET n = n - 1 WHERE kind = 'case' AND state = OLD.review_state;
END;

CREATE TRIGGER media_count_insert AFTER INSERT ON media BEGIN
	UPDATE state_counts SET n = n + 1 WHERE kind = 'media' AND state = NEW.state;
END;
CREATE TRIGGER media_count_update AFTER UPDATE OF state ON media
	WHEN OLD.state IS NOT NEW.state BEGIN
	UPDATE state_counts SET n = n - 1 WHERE kind = 'media' AND state = OLD.state;
	UPDATE state_counts SET n = n + 1 WHERE kind = 'media' AND state = NEW.state;
END;
CREATE TRIGGER media_count_delete AFTER DELETE ON media BEGIN
	UPDATE state_counts SET n = n - 1 WHERE kind = 'media' AND state = OLD.state;
END;

-- Active sessions are counted by last activity: from this index, the count reads only active rows.
CREATE INDEX sessions_seen ON sessions(last_seen_at);
