-- Hold and escalate. A hold pauses a case's SLA clock until a date to come back; an escalation
-- sends it to the supervisors. The cases columns say what is in force now; case_flags keeps every
-- hold, resume, escalation and send-back for the timeline, and is never edited.
ALTER TABLE cases ADD COLUMN held_at TEXT;
ALTER TABLE cases ADD COLUMN held_until TEXT;
ALTER TABLE cases ADD COLUMN escalated_at TEXT;
CREATE INDEX cases_held ON cases(waiting_since, id) WHERE held_at IS NOT NULL;
CREATE INDEX cases_escalated ON cases(waiting_since, id) WHERE escalated_at IS NOT NULL;
CREATE TABLE case_flags (
	id      INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	kind    TEXT    NOT NULL CHECK (kind IN ('hold', 'resume', 'escalate', 'send_back')),
	by_user INTEGER REFERENCES users(id), -- NULL: the desk, e.g. a hold ended by the decision
	at      TEXT    NOT NULL,
	reason  TEXT    NOT NULL DEFAULT '',
	until   TEXT -- a hold's date to come back
);
CREATE INDEX case_flags_case ON case_flags(case_id, id);
CREATE TRIGGER case_flags_no_update BEFORE UPDATE ON case_flags BEGIN SELECT RAISE(ABORT, 'case flags are never edited'); END;
CREATE TRIGGER case_flags_no_delete BEFORE DELETE ON case_flags BEGIN SELECT RAISE(ABORT, 'case flags are never deleted'); END;
