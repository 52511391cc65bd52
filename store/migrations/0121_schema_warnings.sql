-- Deliveries whose body had a field of an unexpected type: the case was kept, and the fields
-- (store.SchemaWarning, as JSON) are listed on ingest health.
ALTER TABLE deliveries ADD COLUMN schema_warnings TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_schema_warned ON deliveries(id) WHERE schema_warnings <> '';
