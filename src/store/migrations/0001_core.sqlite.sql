-- 0001 core (SQLite): org tree, party organisations, accounts, sessions, people, households,
-- audit log. Times are epoch milliseconds. Booleans are 0/1 integers.
CREATE TABLE org_nodes (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	parent_id INTEGER REFERENCES org_nodes(id),
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('region','city','county','town','village','group')),
	path TEXT NOT NULL,           -- '/1/5/23/': ids from the root, for subtree checks
	county_id INTEGER NOT NULL,   -- the county (旗县) above or at this node; 0 above counties
	created_at BIGINT NOT NULL
);
CREATE INDEX org_nodes_parent ON org_nodes(parent_id);
CREATE INDEX org_nodes_path ON org_nodes(path);

CREATE TABLE party_orgs (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('committee','general_branch','branch')),
	created_at BIGINT NOT NULL
);
CREATE INDEX party_orgs_node ON party_orgs(node_id);

CREATE TABLE users (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	pw_hash TEXT NOT NULL,
	pw_changed_at BIGINT NOT NULL,
	failed_count INTEGER NOT NULL DEFAULT 0,
	locked_until BIGINT NOT NULL DEFAULT 0,
	totp_secret TEXT,             -- encrypted (SM4 + HMAC-SM3), NULL when not enrolled
	totp_pending TEXT,            -- encrypted secret awaiting confirmation
	totp_last_step BIGINT NOT NULL DEFAULT 0,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);

CREATE TABLE role_grants (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id INTEGER NOT NULL REFERENCES users(id),
	role TEXT NOT NULL CHECK (role IN ('system_admin','security_admin','auditor','county_staff',
		'township_staff','branch_secretary','volunteer')),
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	created_at BIGINT NOT NULL,
	UNIQUE (user_id, role, node_id)
);
CREATE INDEX role_grants_user ON role_grants(user_id);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	token_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	ip TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE households (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	code TEXT NOT NULL UNIQUE,
	head_name TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	phone TEXT,
	members INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL
);
CREATE INDEX households_node ON households(node_id);

CREATE TABLE people (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	household_id INTEGER REFERENCES households(id),
	name TEXT NOT NULL,
	gender TEXT CHECK (gender IN ('m','f')),
	birth_date TEXT,
	id_enc TEXT,                  -- ID-card number, SM4 + HMAC-SM3
	id_index TEXT UNIQUE,         -- HMAC-SM3 blind index, to find duplicates without decrypting
	id_mask TEXT,                 -- 1504**********1234
	phone TEXT,
	relation TEXT,
	is_party_member INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX people_node ON people(node_id);
CREATE INDEX people_household ON people(household_id);

CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY,
	ts BIGINT NOT NULL,
	user_id INTEGER,
	username TEXT NOT NULL,
	action TEXT NOT NULL,
	object TEXT NOT NULL,
	node_id INTEGER,
	ip TEXT NOT NULL,
	result TEXT NOT NULL,
	detail TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_ts ON audit_log(ts);
CREATE INDEX audit_log_user ON audit_log(username, ts);
CREATE INDEX audit_log_action ON audit_log(action, ts);

-- The chain's head: the last sequence number and hash, so a deleted tail row is detected.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
