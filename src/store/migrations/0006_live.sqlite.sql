-- 0006 (SQLite): live Q&A (直播问答). A stream (直播) collects viewers' questions; the
-- text engine groups them into hot questions (热点问题, stream_clusters) that the host pins,
-- answers or defers; answered ones become FAQ entries. See docs/live.md.
CREATE TABLE streams (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id BIGINT NOT NULL,
	node_id BIGINT NOT NULL REFERENCES org_nodes(id),
	title TEXT NOT NULL,
	topics TEXT NOT NULL DEFAULT '[]',        -- JSON array of strings
	scheduled_at BIGINT,
	platform TEXT NOT NULL DEFAULT '',        -- douyin, kuaishou, weixin, other
	platform_url TEXT NOT NULL DEFAULT '',
	host_name TEXT NOT NULL DEFAULT '',
	host_user_id BIGINT REFERENCES users(id),
	join_code TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','live','ended')),
	started_at BIGINT,
	ended_at BIGINT,
	pinned_cluster_id BIGINT,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX streams_node ON streams(node_id);

CREATE TABLE stream_clusters (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	stream_id BIGINT NOT NULL REFERENCES streams(id),
	title TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','answered','deferred')),
	answer TEXT,
	answered_by BIGINT REFERENCES users(id),
	answered_at BIGINT,
	merged_into BIGINT REFERENCES stream_clusters(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX stream_clusters_stream ON stream_clusters(stream_id);

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
	kind TEXT NOT NULL CHECK (kind IN ('question','suggestion','smalltalk')),
	status TEXT NOT NULL CHECK (status IN ('visible','pending','rejected')),
	moderation TEXT,                          -- why it went to moderation
	upvotes INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (stream_id, source, ext_id)
);
CREATE INDEX stream_questions_stream ON stream_questions(stream_id, id);
CREATE INDEX stream_questions_cluster ON stream_questions(cluster_id);
CREATE INDEX stream_questions_device ON stream_questions(stream_id, device);

CREATE TABLE stream_votes (
	question_id BIGINT NOT NULL REFERENCES stream_questions(id),
	device TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (question_id, device)
);

CREATE TABLE stream_viewer_samples (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	stream_id BIGINT NOT NULL REFERENCES streams(id),
	at BIGINT NOT NULL,
	viewers INTEGER NOT NULL CHECK (viewers >= 0),
	source TEXT NOT NULL DEFAULT 'manual',
	created_by BIGINT REFERENCES users(id)
);
CREATE INDEX stream_viewer_samples_stream ON stream_viewer_samples(stream_id, at);

-- Merges and splits done by hand, kept for the record (they are also in the audit log).
CREATE TABLE stream_cluster_edits (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	stream_id BIGINT NOT NULL REFERENCES streams(id),
	action TEXT NOT NULL CHECK (action IN ('merge','split')),
	from_cluster BIGINT NOT NULL,
	to_cluster BIGINT NOT NULL,
	question_ids TEXT NOT NULL DEFAULT '[]',  -- JSON array (split)
	user_id BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL
);

CREATE TABLE live_sensitive_words (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id BIGINT NOT NULL,
	word TEXT NOT NULL,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	UNIQUE (county_id, word)
);

CREATE TABLE faq_entries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id BIGINT NOT NULL,
	node_id BIGINT NOT NULL REFERENCES org_nodes(id),
	question TEXT NOT NULL,
	answer TEXT NOT NULL,
	topic TEXT NOT NULL DEFAULT '',
	stream_id BIGINT REFERENCES streams(id),
	cluster_id BIGINT REFERENCES stream_clusters(id) UNIQUE,
	asked INTEGER NOT NULL DEFAULT 0,         -- how many viewers asked it
	active INTEGER NOT NULL DEFAULT 1,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX faq_entries_county ON faq_entries(county_id);
