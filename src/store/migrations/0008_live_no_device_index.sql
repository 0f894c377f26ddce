-- 0008: stream_questions loses its (stream_id, device) index. A viewer's own questions
-- ("my questions") now come from the stream's room in memory, which the server builds from
-- the stream's questions (docs/live.md), and are read back by id. The index's leaf for a
-- new device is a random page: one more WAL frame and checkpoint copy a question, about a
-- third of the server's CPU a question submission (docs/performance.md).
DROP INDEX IF EXISTS stream_questions_device;
