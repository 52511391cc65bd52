-- The decision report counts reopens in a period.
CREATE INDEX reopens_at ON reopens(at);
