-- Names are searched without their accents ("nguyen" finds "Nguyễn") and without apostrophes or
-- hyphens ("oconnor" finds "O'CONNOR"): rebuild the index with the fuller diacritic folding.
DROP TABLE case_search;
CREATE VIRTUAL TABLE case_search USING fts4(body, tokenize=unicode61 "remove_diacritics=2");
INSERT INTO case_search (docid, body)
SELECT id, full_name || ' ' || COALESCE(json_extract(snapshot, '$.person.orgFirstName'), '') || ' ' ||
	COALESCE(json_extract(snapshot, '$.person.orgLastName'), '') || ' ' ||
	replace(replace(replace(full_name, '''', ''), '’', ''), '-', '')
FROM cases;
