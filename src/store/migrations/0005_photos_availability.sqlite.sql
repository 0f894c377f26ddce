-- 0005 (SQLite): volunteers' service hours of the week, and photos attached to orders
-- (by the resident when ordering, by the volunteer while working and at completion).
ALTER TABLE volunteers ADD COLUMN avail_days INTEGER NOT NULL DEFAULT 127; -- Mon=1 … Sun=64
ALTER TABLE volunteers ADD COLUMN avail_from INTEGER NOT NULL DEFAULT 0;   -- minutes of the day
ALTER TABLE volunteers ADD COLUMN avail_to INTEGER NOT NULL DEFAULT 1440;
CREATE TABLE order_photos (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	order_id INTEGER NOT NULL REFERENCES orders(id),
	stage TEXT NOT NULL CHECK (stage IN ('order','progress','done')),
	content_type TEXT NOT NULL,
	bytes INTEGER NOT NULL,
	data TEXT NOT NULL,          -- base64
	user_id INTEGER,
	created_at BIGINT NOT NULL
);
CREATE INDEX order_photos_order ON order_photos(order_id);
