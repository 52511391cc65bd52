-- A delivery is acknowledged once its raw bytes commit; the case is derived from it afterwards,
-- in batches. derived = 0 marks an acknowledged delivery whose case is not updated yet: the
-- backlog, which the deriver resumes from after a restart. Existing rows were derived inline.
ALTER TABLE deliveries ADD COLUMN derived INTEGER NOT NULL DEFAULT 1;
CREATE INDEX deliveries_underived ON deliveries(id) WHERE derived = 0;
-- A byte-identical retry that arrives before its first delivery is derived has no case yet; the
-- deriver links it then, through this index (duplicates only).
CREATE INDEX deliveries_duplicate_of ON deliveries(duplicate_of) WHERE duplicate_of IS NOT NULL;
