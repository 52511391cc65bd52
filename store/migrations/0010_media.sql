-- Archive statistics (distinct files and their bytes) and the "is this file still used" check
-- read (state, sha256, size) from this index alone, without visiting the table.
CREATE INDEX media_files ON media(state, sha256, size);
