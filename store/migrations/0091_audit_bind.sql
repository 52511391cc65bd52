-- Decisions, approvals, returns, reopens, accounts and settings are bound to the audit log: the
-- entry that records each one carries the SHA-256 of the row it made (audit_bind.go). Rows written
-- before this migration are bound once, by audit.baseline entries written at the next start.
CREATE TABLE audit_baseline_pending (pending INTEGER NOT NULL);
INSERT INTO audit_baseline_pending VALUES (1);
-- The keyed chain: an HMAC of each link under a key the database never holds (--audit-key-file).
ALTER TABLE audit_log ADD COLUMN mac TEXT;
