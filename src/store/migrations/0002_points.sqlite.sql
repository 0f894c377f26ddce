-- 0002 points (积分制, 积分超市), SQLite. The ledger (points_transfers) is append-only:
-- triggers refuse UPDATE and DELETE. Balances are a cache that `tala check` recomputes.
CREATE TABLE points_items (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	code TEXT NOT NULL,
	version INTEGER NOT NULL,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	points INTEGER NOT NULL CHECK (points <> 0),
	evidence_required INTEGER NOT NULL DEFAULT 0,
	decision TEXT NOT NULL,
	is_current INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	UNIQUE (node_id, code, version)
);

CREATE TABLE points_periods (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	name TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open','closed','publicity','sealed')),
	publicity_days INTEGER NOT NULL,
	publicity_until BIGINT NOT NULL DEFAULT 0,
	seal_hash TEXT,
	opened_at BIGINT NOT NULL,
	closed_at BIGINT NOT NULL DEFAULT 0,
	sealed_at BIGINT NOT NULL DEFAULT 0,
	UNIQUE (node_id, name)
);

CREATE TABLE points_entries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	period_id INTEGER NOT NULL REFERENCES points_periods(id),
	household_id INTEGER NOT NULL REFERENCES households(id),
	item_id INTEGER REFERENCES points_items(id),
	points INTEGER NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	evidence TEXT,
	idempotency_key TEXT NOT NULL UNIQUE,
	body_hash TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending','approved','rejected')),
	maker_id INTEGER NOT NULL,
	checker_id INTEGER,
	reverses_id INTEGER REFERENCES points_entries(id),
	reason TEXT,
	created_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX points_entries_household ON points_entries(household_id);
CREATE INDEX points_entries_period ON points_entries(period_id, status);
CREATE UNIQUE INDEX points_entries_one_reversal ON points_entries(reverses_id);

-- Accounts are 'hh:<household id>', 'pool:<village id>' (issues points, may go negative)
-- and 'store:<village id>' (receives redeemed points).
CREATE TABLE points_transfers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL,
	debit TEXT NOT NULL,
	credit TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	phase TEXT NOT NULL CHECK (phase IN ('posted','pending','post','void')),
	pending_id INTEGER REFERENCES points_transfers(id),
	entry_id INTEGER REFERENCES points_entries(id),
	redemption_id INTEGER,
	created_at BIGINT NOT NULL
);
CREATE INDEX points_transfers_debit ON points_transfers(debit);
CREATE INDEX points_transfers_credit ON points_transfers(credit);
CREATE UNIQUE INDEX points_transfers_settles_once ON points_transfers(pending_id);
CREATE TRIGGER points_transfers_no_update BEFORE UPDATE ON points_transfers
BEGIN SELECT RAISE(ABORT, 'points_transfers is append-only'); END;
CREATE TRIGGER points_transfers_no_delete BEFORE DELETE ON points_transfers
BEGIN SELECT RAISE(ABORT, 'points_transfers is append-only'); END;

CREATE TABLE points_balances (
	account TEXT PRIMARY KEY,
	county_id INTEGER NOT NULL,
	posted BIGINT NOT NULL DEFAULT 0,
	pending BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE points_goods (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	name TEXT NOT NULL,
	price INTEGER NOT NULL CHECK (price > 0),
	stock INTEGER NOT NULL CHECK (stock >= 0),
	source TEXT NOT NULL CHECK (source IN ('donated','bought')),
	created_at BIGINT NOT NULL
);

CREATE TABLE points_redemptions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL,
	household_id INTEGER NOT NULL REFERENCES households(id),
	goods_id INTEGER NOT NULL REFERENCES points_goods(id),
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	amount INTEGER NOT NULL CHECK (amount > 0),
	status TEXT NOT NULL CHECK (status IN ('held','picked_up','cancelled','expired')),
	hold_id INTEGER NOT NULL REFERENCES points_transfers(id),
	idempotency_key TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	settled_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX points_redemptions_node ON points_redemptions(node_id, status);

CREATE TABLE points_objections (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	entry_id INTEGER NOT NULL REFERENCES points_entries(id),
	period_id INTEGER NOT NULL REFERENCES points_periods(id),
	text TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open','upheld','rejected')),
	recorded_by INTEGER,
	decided_by INTEGER,
	decision TEXT,
	reversal_id INTEGER REFERENCES points_entries(id),
	created_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX points_objections_period ON points_objections(period_id, status);

CREATE TABLE points_spotchecks (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	entry_id INTEGER NOT NULL REFERENCES points_entries(id),
	user_id INTEGER NOT NULL,
	ok INTEGER NOT NULL,
	note TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
