-- 0003 requests (群众点单—支部派单—银发接单), SQLite: service categories (the Open311
-- services), the volunteer talent pool (银发人才库), orders with their events and offers,
-- the working-day calendar, the service-hours ledger (append-only), recurring activities,
-- and API keys for Open311 clients.
CREATE TABLE request_categories (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	tier TEXT NOT NULL CHECK (tier IN ('urgent','utility','general','complex')),
	specialty TEXT NOT NULL,
	active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO request_categories (code, name, description, tier, specialty) VALUES
	('health', '健康义诊', '上门量血压、慢病随访、用药指导', 'general', 'medicine'),
	('agri', '农牧技术', '种植、养殖、防疫等农牧业技术指导', 'general', 'agriculture'),
	('legal', '法律咨询', '土地草场承包、婚姻家庭、劳务纠纷等法律咨询', 'general', 'law'),
	('mediation', '矛盾调解', '邻里、草场边界、家庭矛盾调解', 'complex', 'mediation'),
	('errand', '生活帮办', '代购代办、陪同就医、助老助残', 'general', 'daily'),
	('repair', '水电暖维修', '自来水、电路、取暖设施维修', 'utility', 'repair');

CREATE TABLE volunteers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	user_id INTEGER UNIQUE REFERENCES users(id),
	name TEXT NOT NULL,
	phone TEXT,
	birth_year INTEGER,
	specialties TEXT NOT NULL,
	lat REAL,
	lon REAL,
	max_active INTEGER NOT NULL DEFAULT 2,
	no_night INTEGER NOT NULL DEFAULT 0,
	health_note TEXT NOT NULL DEFAULT '',
	insurance_until TEXT,
	available INTEGER NOT NULL DEFAULT 1,
	grid_member INTEGER NOT NULL DEFAULT 0,
	rating_sum INTEGER NOT NULL DEFAULT 0,
	rating_count INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE INDEX volunteers_node ON volunteers(node_id);

CREATE TABLE volunteer_pairings (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	household_id INTEGER NOT NULL REFERENCES households(id),
	created_at BIGINT NOT NULL,
	UNIQUE (volunteer_id, household_id)
);

CREATE TABLE orders (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	handler_node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	level TEXT NOT NULL CHECK (level IN ('village','town','county')),
	category_id INTEGER NOT NULL REFERENCES request_categories(id),
	text TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	lat REAL,
	lon REAL,
	urgency TEXT NOT NULL CHECK (urgency IN ('normal','urgent')),
	tier TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('new','offered','accepted','in_progress','done',
		'closed','cancelled')),
	ticket TEXT NOT NULL UNIQUE,
	resident_name TEXT NOT NULL DEFAULT '',
	resident_phone TEXT,
	household_id INTEGER REFERENCES households(id),
	source TEXT NOT NULL CHECK (source IN ('phone','staff','grid','open311')),
	filed_by INTEGER REFERENCES users(id),
	volunteer_id INTEGER REFERENCES volunteers(id),
	due_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	first_accepted_at BIGINT NOT NULL DEFAULT 0,
	done_at BIGINT NOT NULL DEFAULT 0,
	closed_at BIGINT NOT NULL DEFAULT 0,
	minutes INTEGER NOT NULL DEFAULT 0,
	resolved INTEGER,
	satisfied INTEGER,
	rating INTEGER,
	unreasonable INTEGER NOT NULL DEFAULT 0,
	redo_count INTEGER NOT NULL DEFAULT 0,
	external_id TEXT
);
CREATE INDEX orders_node ON orders(node_id, status);
CREATE INDEX orders_handler ON orders(handler_node_id, status);
CREATE INDEX orders_volunteer ON orders(volunteer_id, status);
CREATE UNIQUE INDEX orders_external ON orders(external_id);

CREATE TABLE order_events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id INTEGER NOT NULL REFERENCES orders(id),
	ts BIGINT NOT NULL,
	kind TEXT NOT NULL,
	user_id INTEGER,
	volunteer_id INTEGER,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_events_order ON order_events(order_id);

CREATE TABLE order_offers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id INTEGER NOT NULL REFERENCES orders(id),
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	rank INTEGER NOT NULL,
	reasons TEXT NOT NULL,
	offered_at BIGINT NOT NULL,
	respond_by BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('offered','accepted','declined','expired','withdrawn')),
	responded_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX order_offers_order ON order_offers(order_id);
CREATE INDEX order_offers_open ON order_offers(status, respond_by);

CREATE TABLE holidays (
	day TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
	name TEXT NOT NULL
);

CREATE TABLE hours_transfers (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	debit TEXT NOT NULL,
	credit TEXT NOT NULL,
	minutes INTEGER NOT NULL CHECK (minutes > 0),
	order_id INTEGER REFERENCES orders(id),
	signup_id INTEGER,
	created_at BIGINT NOT NULL
);
CREATE INDEX hours_transfers_credit ON hours_transfers(credit);
CREATE TRIGGER hours_transfers_no_update BEFORE UPDATE ON hours_transfers
BEGIN SELECT RAISE(ABORT, 'hours_transfers is append-only'); END;
CREATE TRIGGER hours_transfers_no_delete BEFORE DELETE ON hours_transfers
BEGIN SELECT RAISE(ABORT, 'hours_transfers is append-only'); END;

CREATE TABLE hours_balances (
	account TEXT PRIMARY KEY,
	county_id INTEGER NOT NULL,
	minutes BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE activities (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	county_id INTEGER NOT NULL,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	day_of_month INTEGER CHECK (day_of_month BETWEEN 1 AND 28),
	minutes INTEGER NOT NULL CHECK (minutes > 0),
	created_at BIGINT NOT NULL
);

CREATE TABLE activity_signups (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	activity_id INTEGER NOT NULL REFERENCES activities(id),
	volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
	day TEXT NOT NULL,
	attended INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	UNIQUE (activity_id, volunteer_id, day)
);

CREATE TABLE api_keys (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	node_id INTEGER NOT NULL REFERENCES org_nodes(id),
	name TEXT NOT NULL,
	key_hash TEXT NOT NULL UNIQUE,
	revoked INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
