-- The review workspace filters the queue by country: the document's issuing country or the IP
-- address's. Each index is ordered like the queue (tab, then oldest waiting first), so a filtered
-- page of a tab reads a contiguous range; the OR of the two is answered from both indexes.
CREATE INDEX cases_doc_country ON cases(doc_country, review_state, waiting_since, id);
CREATE INDEX cases_ip_country ON cases(ip_country, review_state, waiting_since, id);

-- Tab counts under a filter read review_state beside the filtered column, from the index alone.
CREATE INDEX cases_source_state ON cases(source, review_state);
CREATE INDEX cases_overall_state ON cases(overall, review_state);
CREATE INDEX cases_received_state ON cases(first_received_at, review_state);
