-- Redaction boxes (issue 17): per media image, the boxes drawn over it and the redacted
-- derivative made from the original, content-addressed in the media archive like any file.
-- One row per image: drawing more boxes replaces the row (the audit log keeps every drawing).
CREATE TABLE media_redactions (
	media_id     INTEGER PRIMARY KEY REFERENCES media(id),
	boxes        TEXT    NOT NULL, -- JSON [{"x":…,"y":…,"w":…,"h":…}], fractions of the image's width and height
	sha256       TEXT    NOT NULL, -- the derivative's file in the archive
	size         INTEGER NOT NULL,
	content_type TEXT    NOT NULL,
	drawn_by     INTEGER REFERENCES users(id),
	drawn_at     TEXT    NOT NULL
);
CREATE INDEX media_redactions_sha ON media_redactions(sha256);
