-- 0007 (PostgreSQL): nothing to do. The SQLite side rebuilds stream_questions with its CHECKs
-- written as ORs (SQLite builds an ephemeral table per row for an IN list); PostgreSQL
-- checks `kind IN (…)` without that cost. Kept so both backends reach the same version.
SELECT 1;
