-- 0007 (SQLite): stream_questions rebuilt with its kind and status CHECKs written as ORs of
-- equalities. SQLite codes `x IN ('a','b','c')` (a constant list of more than two values)
-- as an ephemeral table that it builds and probes for every row checked: two per question
-- INSERT, the group committer's serial path in the submission bench (docs/performance.md).
-- The ORs accept and refuse exactly the same values. Columns, ids, the AUTOINCREMENT
-- sequence, the UNIQUE constraint, the indexes and the foreign keys (both ways: votes point
-- here) are kept as 0006 made them. PostgreSQL keeps its IN lists (0007_….pg.sql is empty).
--
-- The migration runs in one transaction with foreign_keys=ON, where that pragma cannot be
-- turned off: foreign keys are deferred to the COMMIT instead. Dropping the table counts a
-- violation per vote; putting the questions back under the same name uncounts them.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE stream_questions_0007 AS SELECT * FROM stream_questions;
CREATE TABLE stream_questions_seq_0007 AS
	SELECT seq FROM sqlite_sequence WHERE name = 'stream_questions';

DROP TABLE stream_questions;
CREATE TABLE stream_questions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	stream_id BIGINT NOT NULL REFERENCES streams(id),
	cluster_id BIGINT REFERENCES stream_clusters(id),
	source TEXT NOT NULL DEFAULT 'viewer',    -- viewer, or the outside platform's name
	ext_id TEXT,                              -- the outside platform's comment id
	device TEXT NOT NULL,                     -- viewer: hash of the device token; import: platform:user
	nickname TEXT NOT NULL DEFAULT '',
	phone_masked TEXT,
	text TEXT NOT NULL,                       -- as shown: phone and ID numbers redacted
	kind TEXT NOT NULL CHECK (kind = 'question' OR kind = 'suggestion' OR kind = 'smalltalk'),
	status TEXT NOT NULL CHECK (status = 'visible' OR status = 'pending' OR status = 'rejected'),
	moderation TEXT,                          -- why it went to moderation
	upvotes INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (stream_id, source, ext_id)
);
INSERT INTO stream_questions (id, stream_id, cluster_id, source, ext_id, device, nickname,
	phone_masked, text, kind, status, moderation, upvotes, created_at)
	SELECT id, stream_id, cluster_id, source, ext_id, device, nickname, phone_masked, text,
		kind, status, moderation, upvotes, created_at
	FROM stream_questions_0007 ORDER BY id;
-- The sequence as it was (it may be past the last id if the newest rows were deleted).
UPDATE sqlite_sequence SET seq = (SELECT seq FROM stream_questions_seq_0007)
	WHERE name = 'stream_questions' AND seq < (SELECT seq FROM stream_questions_seq_0007);
INSERT INTO sqlite_sequence (name, seq)
	SELECT 'stream_questions', seq FROM stream_questions_seq_0007
	WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'stream_questions');
DROP TABLE stream_questions_0007;
DROP TABLE stream_questions_seq_0007;

CREATE INDEX stream_questions_stream ON stream_questions(stream_id, id);
CREATE INDEX stream_questions_cluster ON stream_questions(cluster_id);
CREATE INDEX stream_questions_device ON stream_questions(stream_id, device);
