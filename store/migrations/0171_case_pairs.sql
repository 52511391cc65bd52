-- A search of two or more words walks the cases that have two of those words together, in queue
-- order, so that two common words that seldom meet ("anna sharma": 43,000 and 25,000 of a million
-- cases, none both) read one page of their pair rather than every case with the longer word.
-- Each case has every pair of its name words (case_terms), the smaller word first, joined by a
-- space (a word never holds one), with its case's review state and waiting time.
CREATE TABLE case_pairs (
	case_id       INTEGER NOT NULL,
	pair          TEXT    NOT NULL,
	review_state  TEXT    NOT NULL,
	waiting_since TEXT    NOT NULL,
	PRIMARY KEY (case_id, pair)
) WITHOUT ROWID;
-- The existing cases' pairs are filled in the background (migration 0172, backfill.go): at a
-- million cases the fill takes minutes, and a migration runs before the server listens.
CREATE INDEX case_pairs_queue ON case_pairs(pair, review_state, waiting_since, case_id);

DROP TRIGGER cases_queue_keys;
CREATE TRIGGER cases_queue_keys AFTER UPDATE OF review_state, waiting_since ON cases
	WHEN OLD.review_state IS NOT NEW.review_state OR OLD.waiting_since IS NOT NEW.waiting_since BEGIN
	UPDATE case_tags SET review_state = NEW.review_state, waiting_since = NEW.waiting_since WHERE case_id = NEW.id;
	UPDATE case_terms SET review_state = NEW.review_state, waiting_since = NEW.waiting_since WHERE case_id = NEW.id;
	UPDATE case_pairs SET review_state = NEW.review_state, waiting_since = NEW.waiting_since WHERE case_id = NEW.id;
END;
DROP TRIGGER cases_terms_delete;
CREATE TRIGGER cases_terms_delete AFTER DELETE ON cases BEGIN
	DELETE FROM case_terms WHERE case_id = OLD.id;
	DELETE FROM case_pairs WHERE case_id = OLD.id;
END;
