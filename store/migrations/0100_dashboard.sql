-- The team dashboard reads these summaries instead of the case and decision tables, so a page
-- costs the same at a million cases as at a hundred. They are written in the same transaction as
-- the event they count (store/dashboard_events.go).
--
-- dash_daily holds one counter per (metric, source, UTC day, key):
--   received      key ''           cases whose first callback arrived that day
--   queue         key ''           change in the number of cases needing a decision (+1 in, -1 out)
--   final         key outcome      decisions that became final (no second approval needed, or approved)
--   reason        key reason code  final decisions by reason
--   sla_breach    key ''           final decisions on cases that had waited longer than the SLA
--   reviewer      key user id      final decisions by their maker
--   returned      key user id      decisions of that maker sent back by the second approver
--   sig_suspected key kind:value   final decisions on SUSPECTED cases (or video-KYC sessions) carrying the signal
--   sig_allowed   key kind:value   ... of which the outcome was allow (false positives)
CREATE TABLE dash_daily (
	metric TEXT    NOT NULL,
	source TEXT    NOT NULL,
	day    TEXT    NOT NULL,
	key    TEXT    NOT NULL DEFAULT '',
	n      INTEGER NOT NULL,
	PRIMARY KEY (metric, source, day, key)
) WITHOUT ROWID;

-- One row per decision that became final, with the durations the dashboard takes medians of.
-- Percentiles are read with ORDER BY ... LIMIT 2 OFFSET k over the indexes below, so SQLite walks
-- index entries and Go scans two rows per figure.
CREATE TABLE dash_final (
	decision_id   INTEGER PRIMARY KEY REFERENCES decisions(id),
	case_id       INTEGER NOT NULL,
	source        TEXT    NOT NULL,
	day           TEXT    NOT NULL,           -- UTC day the decision became final
	reviewer_id   INTEGER NOT NULL,
	turnaround_ms INTEGER NOT NULL,           -- first callback to final decision
	handling_ms   INTEGER                     -- claim to decision; NULL when no claim is on record
);
CREATE INDEX dash_final_day ON dash_final(day, turnaround_ms);
CREATE INDEX dash_final_source_day ON dash_final(source, day, turnaround_ms);
CREATE INDEX dash_final_reviewer ON dash_final(reviewer_id, handling_ms, day, source);

-- The age histogram of the queue per source counts index ranges, never case rows.
CREATE INDEX cases_source_queue ON cases(source, review_state, waiting_since);

-- Back-fill from what a database upgraded to this version already holds. Everything but the
-- queue's history is exact; the queue's history is the cases waiting now, each from the day it
-- started waiting (earlier ups and downs were not recorded before this version).
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'received', source, substr(first_received_at, 1, 10), '', COUNT(*) FROM cases GROUP BY 2, 3;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'queue', source, substr(waiting_since, 1, 10), '', COUNT(*) FROM cases
WHERE review_state = 'needs_decision' GROUP BY 2, 3;

CREATE TEMP TABLE dash_backfill AS
SELECT d.id AS decision_id, d.case_id, c.source, d.outcome, d.reason_code, d.decided_by, d.decided_at,
	COALESCE(a.at, d.decided_at) AS final_at, c.first_received_at, c.waiting_since,
	COALESCE(dl.overall, c.overall) AS overall, COALESCE(dl.fraud_tags, c.fraud_tags) AS fraud_tags,
	COALESCE(dl.mismatch_tags, c.mismatch_tags) AS mismatch_tags,
	(SELECT al.at FROM audit_log al WHERE al.case_id = d.case_id AND al.action IN ('case.claim', 'case.reassign')
		AND al.at <= d.decided_at ORDER BY al.id DESC LIMIT 1) AS claimed_at
FROM decisions d
JOIN cases c ON c.id = d.case_id
LEFT JOIN deliveries dl ON dl.id = d.delivery_id
LEFT JOIN approvals a ON a.decision_id = d.id AND a.verdict = 'approved'
WHERE d.needs_approval = 0 OR a.id IS NOT NULL;

INSERT INTO dash_final (decision_id, case_id, source, day, reviewer_id, turnaround_ms, handling_ms)
SELECT decision_id, case_id, source, substr(final_at, 1, 10), decided_by,
	MAX(0, CAST(round((julianday(final_at) - julianday(first_received_at)) * 86400000) AS INTEGER)),
	CASE WHEN claimed_at IS NULL THEN NULL
		ELSE MAX(0, CAST(round((julianday(decided_at) - julianday(claimed_at)) * 86400000) AS INTEGER)) END
FROM dash_backfill;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'final', source, substr(final_at, 1, 10), outcome, COUNT(*) FROM dash_backfill GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'reason', source, substr(final_at, 1, 10), reason_code, COUNT(*) FROM dash_backfill GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'reviewer', source, substr(final_at, 1, 10), CAST(decided_by AS TEXT), COUNT(*) FROM dash_backfill GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'returned', c.source, substr(a.at, 1, 10), CAST(d.decided_by AS TEXT), COUNT(*)
FROM approvals a JOIN decisions d ON d.id = a.decision_id JOIN cases c ON c.id = d.case_id
WHERE a.verdict = 'returned' GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'sig_suspected', b.source, substr(b.final_at, 1, 10), 'fraud:' || t.value, COUNT(*)
FROM dash_backfill b, json_each(b.fraud_tags) t WHERE (upper(b.overall) = 'SUSPECTED' OR b.source = 'vcip') GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'sig_suspected', b.source, substr(b.final_at, 1, 10), 'mismatch:' || t.value, COUNT(*)
FROM dash_backfill b, json_each(b.mismatch_tags) t WHERE (upper(b.overall) = 'SUSPECTED' OR b.source = 'vcip') GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'sig_allowed', b.source, substr(b.final_at, 1, 10), 'fraud:' || t.value, COUNT(*)
FROM dash_backfill b, json_each(b.fraud_tags) t WHERE (upper(b.overall) = 'SUSPECTED' OR b.source = 'vcip') AND b.outcome = 'allow' GROUP BY 2, 3, 4;
INSERT INTO dash_daily (metric, source, day, key, n)
SELECT 'sig_allowed', b.source, substr(b.final_at, 1, 10), 'mismatch:' || t.value, COUNT(*)
FROM dash_backfill b, json_each(b.mismatch_tags) t WHERE (upper(b.overall) = 'SUSPECTED' OR b.source = 'vcip') AND b.outcome = 'allow' GROUP BY 2, 3, 4;
DROP TABLE dash_backfill;
