-- Pages whose cost does not grow with history. Every filter the queue offers has an index in the
-- queue's own order (review state, then oldest waiting first), so a page of any single filter
-- reads one page of that index, however many cases match.

-- Tags carry their case's review state and waiting time, kept by the trigger below.
ALTER TABLE case_tags ADD COLUMN review_state TEXT NOT NULL DEFAULT '';
ALTER TABLE case_tags ADD COLUMN waiting_since TEXT NOT NULL DEFAULT '';
UPDATE case_tags SET review_state = c.review_state, waiting_since = c.waiting_since
	FROM cases c WHERE c.id = case_tags.case_id;
DROP INDEX case_tags_tag;
CREATE INDEX case_tags_queue ON case_tags(kind, tag, review_state, waiting_since, case_id);

-- The words of each case's names, folded exactly as the full-text index folded them (the same
-- tokenizer), in queue order: a name search walks the rows of the words typed, in order.
CREATE VIRTUAL TABLE case_tokens USING fts3tokenize(unicode61, "remove_diacritics=2");
CREATE TABLE case_terms (
	case_id       INTEGER NOT NULL,
	term          TEXT    NOT NULL,
	review_state  TEXT    NOT NULL,
	waiting_since TEXT    NOT NULL,
	PRIMARY KEY (case_id, term)
) WITHOUT ROWID;
INSERT OR IGNORE INTO case_terms (case_id, term, review_state, waiting_since)
	SELECT c.id, t.token, c.review_state, c.waiting_since
	FROM case_search s JOIN cases c ON c.id = s.docid, case_tokens t WHERE t.input = s.body;
CREATE INDEX case_terms_queue ON case_terms(term, review_state, waiting_since, case_id);
-- The full-text table answered searches in id order only; case_terms replaces it.
DROP TABLE case_search;

CREATE TRIGGER cases_queue_keys AFTER UPDATE OF review_state, waiting_since ON cases
	WHEN OLD.review_state IS NOT NEW.review_state OR OLD.waiting_since IS NOT NEW.waiting_since BEGIN
	UPDATE case_tags SET review_state = NEW.review_state, waiting_since = NEW.waiting_since WHERE case_id = NEW.id;
	UPDATE case_terms SET review_state = NEW.review_state, waiting_since = NEW.waiting_since WHERE case_id = NEW.id;
END;
-- A tag or word written without its case's order (any path) takes it from the case.
CREATE TRIGGER case_tags_order AFTER INSERT ON case_tags WHEN NEW.review_state = '' BEGIN
	UPDATE case_tags SET (review_state, waiting_since) = (SELECT review_state, waiting_since FROM cases WHERE id = NEW.case_id)
		WHERE case_id = NEW.case_id AND kind = NEW.kind AND tag = NEW.tag;
END;
CREATE TRIGGER cases_terms_delete AFTER DELETE ON cases BEGIN
	DELETE FROM case_terms WHERE case_id = OLD.id;
END;

-- The status filter walks its own queue-ordered index (the source filter has cases_source_queue).
DROP INDEX cases_overall_state;
CREATE INDEX cases_overall_queue ON cases(overall, review_state, waiting_since);
-- A date filter (first callback in a range) walks the queue order inside the range, since a case
-- waits since its first callback; the few cases that wait since a later one (sent back for a
-- look, reopened) are walked from this index.
CREATE INDEX cases_rewaited ON cases(review_state, waiting_since) WHERE waiting_since <> first_received_at;
