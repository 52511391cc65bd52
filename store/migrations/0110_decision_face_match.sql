-- The advisory face similarity the reviewer's browser computed when the decision was made, as JSON
-- ({"score":87,"model":"face-api 1.7.15 (...)","frame_ms":12000}); NULL when none was sent.
ALTER TABLE decisions ADD COLUMN face_match TEXT;
