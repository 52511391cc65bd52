-- The video-KYC agent's remark (fieldValues.Remark) as a column the queue shows and filters on with
-- an index, like a country. Triggers keep it from the snapshot in the same statement that writes the
-- snapshot, so ingest, replay and bulk loads need no code of their own for it.
ALTER TABLE cases ADD COLUMN agent_remark TEXT NOT NULL DEFAULT '';

UPDATE cases SET agent_remark = substr(trim(COALESCE(CAST(json_extract(snapshot, '$.fieldValues.Remark') AS TEXT), '')), 1, 200)
	WHERE source = 'vcip' AND json_valid(snapshot);

CREATE INDEX cases_agent_remark ON cases(agent_remark COLLATE NOCASE, review_state, waiting_since, id);

CREATE TRIGGER cases_agent_remark_insert AFTER INSERT ON cases WHEN NEW.source = 'vcip' BEGIN
	UPDATE cases SET agent_remark = CASE WHEN json_valid(NEW.snapshot)
		THEN substr(trim(COALESCE(CAST(json_extract(NEW.snapshot, '$.fieldValues.Remark') AS TEXT), '')), 1, 200) ELSE '' END
		WHERE id = NEW.id;
END;
CREATE TRIGGER cases_agent_remark_update AFTER UPDATE OF snapshot ON cases WHEN NEW.source = 'vcip' BEGIN
	UPDATE cases SET agent_remark = CASE WHEN json_valid(NEW.snapshot)
		THEN substr(trim(COALESCE(CAST(json_extract(NEW.snapshot, '$.fieldValues.Remark') AS TEXT), '')), 1, 200) ELSE '' END
		WHERE id = NEW.id;
END;
