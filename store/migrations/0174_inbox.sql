-- The highest id of the inbox (store/inbox.go) that this database holds: the rows above it are
-- acknowledged deliveries still to be moved here and derived. It is raised in the transaction
-- that moves them.
CREATE TABLE inbox_mark (
	one   INTEGER PRIMARY KEY CHECK (one = 1),
	moved INTEGER NOT NULL
);
INSERT INTO inbox_mark (one, moved) VALUES (1, 0);
