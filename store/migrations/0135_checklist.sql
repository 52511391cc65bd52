-- The reviewer's checklist while they work a case: per instruction (video KYC) or per signal
-- (SUSPECTED Mark ID) a bookmark in the recording, a disposition and a note. Saved as the reviewer
-- works, so it survives a reload; frozen into decisions.checklist (JSON) when the decision is made.
CREATE TABLE checklist_drafts (
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	item        TEXT    NOT NULL,
	bookmark_ms INTEGER,
	disposition TEXT    NOT NULL DEFAULT '',
	note        TEXT    NOT NULL DEFAULT '',
	updated_by  INTEGER REFERENCES users(id),
	updated_at  TEXT    NOT NULL,
	PRIMARY KEY (case_id, item)
) WITHOUT ROWID;

-- The checklist as it stood when the decision was made ([{"key":…,"disposition":…}]); NULL when the
-- case had no checklist items.
ALTER TABLE decisions ADD COLUMN checklist TEXT;
