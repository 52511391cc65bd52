-- Decisions, second approvals and reopens are records of what people did: like the audit log,
-- they are never changed or removed once written.
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are immutable'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are immutable'); END;
CREATE TRIGGER approvals_no_update BEFORE UPDATE ON approvals BEGIN SELECT RAISE(ABORT, 'approvals are immutable'); END;
CREATE TRIGGER approvals_no_delete BEFORE DELETE ON approvals BEGIN SELECT RAISE(ABORT, 'approvals are immutable'); END;
CREATE TRIGGER reopens_no_update BEFORE UPDATE ON reopens BEGIN SELECT RAISE(ABORT, 'reopens are immutable'); END;
CREATE TRIGGER reopens_no_delete BEFORE DELETE ON reopens BEGIN SELECT RAISE(ABORT, 'reopens are immutable'); END;
