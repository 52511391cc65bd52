-- The decision report lists the second approvals given in a period.
CREATE INDEX approvals_at ON approvals(at);
