-- The legal holds page lists the holds in force newest first, a page at a time. Lifted holds are
-- kept for ever (they are the record), so without this index a page would walk past every hold
-- ever lifted; with it, a page reads only holds in force.
CREATE INDEX legal_holds_open ON legal_holds(id) WHERE lifted_at IS NULL;
