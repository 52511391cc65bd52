-- Notes on a case: questions and requests between colleagues, kept in the timeline, never edited.
CREATE TABLE case_notes (
	id      INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	by_user INTEGER NOT NULL REFERENCES users(id),
	at      TEXT    NOT NULL,
	body    TEXT    NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);
CREATE TRIGGER case_notes_no_update BEFORE UPDATE ON case_notes BEGIN SELECT RAISE(ABORT, 'case notes are never edited'); END;
CREATE TRIGGER case_notes_no_delete BEFORE DELETE ON case_notes BEGIN SELECT RAISE(ABORT, 'case notes are never deleted'); END;
