-- Filling a new search table for every existing case can take minutes at a million cases, and a
-- migration runs before the server listens: vendors' callbacks would be refused all that while,
-- and Mark ID gives up after 1.5 s. Such a fill runs in the background instead, a batch of cases
-- per transaction beside ingest, recording how far it got so a restart goes on from there. The
-- queue uses the table once its fill is done.
CREATE TABLE backfills (
	name    TEXT PRIMARY KEY,
	next_id INTEGER NOT NULL DEFAULT 0, -- the lowest case id not yet filled
	done_at TEXT                        -- NULL while the fill is pending
) WITHOUT ROWID;

-- case_pairs (0171) is complete already when an earlier 0171 filled it in place, or when there
-- are no words to pair.
INSERT INTO backfills (name, next_id, done_at) SELECT 'case_pairs', 0,
	CASE WHEN EXISTS (SELECT 1 FROM case_pairs) OR NOT EXISTS (SELECT 1 FROM case_terms)
	THEN strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000000Z' END; -- TimeFormat
