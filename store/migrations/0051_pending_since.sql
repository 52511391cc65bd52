-- The pending-approval queue is ordered by how long a decision has waited for its second look.
ALTER TABLE cases ADD COLUMN pending_since TEXT;
UPDATE cases SET pending_since = (SELECT MAX(d.decided_at) FROM decisions d WHERE d.case_id = cases.id)
	WHERE review_state = 'pending_approval';
CREATE INDEX cases_pending ON cases(pending_since, id) WHERE review_state = 'pending_approval';
