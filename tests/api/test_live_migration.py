"""test_live_migration.py — migration 0007 on an existing SQLite database: stream_questions is
rebuilt with its kind/status CHECKs written as ORs (no ephemeral table per inserted row) and
keeps every question, its ids, the AUTOINCREMENT sequence, the votes pointing at it, its
indexes and foreign keys; the CHECKs still refuse what they refused. Migration 0008 then
drops the (stream_id, device) index: a viewer's own questions are read by id.

The database at version 6 is made here from the migration files themselves (0001–0006, the
SQLite and shared ones), filled with questions of every kind and status, then `tala migrate`
brings it to the latest version."""

import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from tests.api import harness

MIGRATIONS = os.path.join(harness.REPO_ROOT, "src", "store", "migrations")
VERSIONS_CREATE = ("CREATE TABLE IF NOT EXISTS schema_versions (version INTEGER PRIMARY KEY, "
                   "name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
# SQL_MINE in src/modules/live/live_store.c: one of a viewer's own questions, by id
SQL_MINE = ("SELECT q.id, COALESCE(q.cluster_id, 0), q.nickname, q.text, q.kind, q.upvotes, "
            "q.created_at, q.status, k.status, k.answer, k.title FROM stream_questions q "
            "LEFT JOIN stream_clusters k ON k.id = q.cluster_id WHERE q.id = ? "
            "AND q.stream_id = ? AND q.device = ?")
DEVICE_INDEX = "stream_questions_device"  # dropped by 0008
INSERT = ("INSERT INTO stream_questions (stream_id, cluster_id, source, ext_id, device, "
          "nickname, phone_masked, text, kind, status, moderation, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def migrations_up_to(version):
    out = []
    for path in sorted(glob.glob(os.path.join(MIGRATIONS, "*.sql"))):
        m = re.fullmatch(r"(\d{4})_([a-z0-9_]+?)(\.sqlite|\.pg)?\.sql", os.path.basename(path))
        if m and int(m.group(1)) <= version and m.group(3) != ".pg":
            out.append((int(m.group(1)), m.group(2), path))
    return out


def make_v6(path):
    """A database as tala left it at schema version 6, with a stream's questions in it."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(VERSIONS_CREATE)
    for version, name, p in migrations_up_to(6):
        with open(p, encoding="utf-8") as f:
            db.executescript("BEGIN;" + f.read() + ";COMMIT;")
        db.execute("INSERT INTO schema_versions VALUES (?, ?, 0)", (version, name))
    db.execute("INSERT INTO org_nodes (id, code, name, level, path, county_id, created_at) "
               "VALUES (1, '150000', '测试区', 'region', '/1/', 0, 0)")
    db.execute("INSERT INTO streams (id, county_id, node_id, title, join_code, status, "
               "created_at) VALUES (7, 1, 1, '直播', 'JOIN0007', 'live', 0)")
    for k in (1, 2, 3):
        db.execute("INSERT INTO stream_clusters (stream_id, title, created_at) "
                   "VALUES (7, ?, 0)", ("热点%d" % k,))
    rows = []
    kinds = ("question", "suggestion", "smalltalk")
    statuses = ("visible", "pending", "rejected")
    for i in range(300):
        kind, status = kinds[i % 3], statuses[(i // 3) % 3]
        cluster = i % 4 if kind == "question" and status == "visible" and i % 4 else None
        source, ext = ("douyin", "c%d" % i) if i % 10 == 0 else ("viewer", None)
        rows.append((7, cluster, source, ext, "d:%064x" % (i % 37), "昵称%d" % i if i % 5 else "",
                     "138****%04d" % i if i % 7 == 0 else None, "问题 %d：社保卡怎么补办？" % i,
                     kind, status, "敏感词" if status == "pending" else None, 1000 + i))
    db.executemany(INSERT, rows)
    db.executemany("INSERT INTO stream_votes VALUES (?, ?, 0)",
                   [(q, "d:%064x" % v) for q in range(1, 200, 3) for v in range(3)])
    db.execute("UPDATE stream_questions SET upvotes = 3 WHERE id % 3 = 1 AND id < 200")
    # the newest two taken out by hand: their ids must not come back
    db.execute("DELETE FROM stream_questions WHERE id > 298")
    db.close()


def snapshot(db):
    return {
        "rows": db.execute("SELECT * FROM stream_questions ORDER BY id").fetchall(),
        "votes": db.execute("SELECT * FROM stream_votes ORDER BY 1, 2").fetchall(),
        "seq": db.execute("SELECT seq FROM sqlite_sequence "
                          "WHERE name = 'stream_questions'").fetchall(),
        "columns": db.execute("PRAGMA table_info(stream_questions)").fetchall(),
        "indexes": sorted((r[1], r[2], r[3]) for r in
                          db.execute("PRAGMA index_list(stream_questions)").fetchall()),
        "index_columns": {n: db.execute("PRAGMA index_info(%s)" % n).fetchall() for n in (
            "stream_questions_stream", "stream_questions_cluster")},
        "fks": db.execute("PRAGMA foreign_key_list(stream_questions)").fetchall(),
        "vote_fks": db.execute("PRAGMA foreign_key_list(stream_votes)").fetchall(),
    }


@unittest.skipUnless(harness.backend() == "sqlite", "0007 rebuilds a SQLite table (PG: no-op)")
class LiveQuestionChecksMigrationTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tala-mig-")
        self.path = os.path.join(self.tmp, "tala.db")
        make_v6(self.path)
        db = sqlite3.connect(self.path)
        self.before = snapshot(db)
        self.old_sql = db.execute("SELECT sql FROM sqlite_master "
                                  "WHERE name = 'stream_questions'").fetchone()[0]
        db.close()
        p = subprocess.run([harness.tala_bin(), "migrate", "--db", "sqlite:" + self.path],
                           capture_output=True, text=True, timeout=60,
                           env=harness.child_env())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys=ON")

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_migration_0007_keeps_questions_votes_sequence_indexes_and_keys(self):
        self.assertIn("kind IN (", self.old_sql)  # the fixture really is the old table
        self.assertEqual(self.db.execute("SELECT MAX(version) FROM schema_versions").fetchone(),
                         (8,))
        after = snapshot(self.db)
        self.assertEqual(len(self.before["rows"]), 298)
        self.assertEqual(self.before["seq"], [(300,)])
        self.assertIn(DEVICE_INDEX, [i[0] for i in self.before["indexes"]])
        self.before["indexes"] = [i for i in self.before["indexes"] if i[0] != DEVICE_INDEX]
        for key in self.before:
            self.assertEqual(after[key], self.before[key], key)
        self.assertEqual(self.db.execute("PRAGMA foreign_key_check").fetchall(), [])
        self.assertEqual(self.db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        # the holding tables are gone
        self.assertEqual(self.db.execute("SELECT name FROM sqlite_master "
                                         "WHERE name LIKE '%0007%'").fetchall(), [])

    def test_migrated_table_refuses_what_it_refused_and_builds_no_ephemeral_table(self):
        sql = self.db.execute("SELECT sql FROM sqlite_master "
                              "WHERE name = 'stream_questions'").fetchone()[0]
        self.assertNotIn(" IN (", sql.upper())
        row = [7, None, "viewer", None, "d:new", "", None, "新问题", "question", "visible", None, 5]
        for col, bad in ((8, "rant"), (9, "hidden"), (8, "Question"), (9, None)):
            r = list(row)
            r[col] = bad
            with self.assertRaises(sqlite3.IntegrityError):
                self.db.execute(INSERT, r)
        r = list(row)
        r[0] = 8  # no such stream
        with self.assertRaises(sqlite3.IntegrityError):
            self.db.execute(INSERT, r)
        with self.assertRaises(sqlite3.IntegrityError):  # a second import of one comment
            self.db.execute(INSERT, [7, None, "douyin", "c10", "d:x", "", None, "重复",
                                     "question", "visible", None, 5])
        # ids continue after the sequence, not after the last row left
        self.db.execute(INSERT, row)
        self.assertEqual(self.db.execute("SELECT MAX(id) FROM stream_questions").fetchone(),
                         (301,))
        ops = [r[1] for r in self.db.execute("EXPLAIN " + INSERT, row)]
        self.assertNotIn("OpenEphemeral", ops)
        # a viewer's own questions are read by primary key, checked against the device
        plan = " ".join(r[3] for r in self.db.execute("EXPLAIN QUERY PLAN " + SQL_MINE,
                                                      (43, 7, "d:%064x" % 5)))
        self.assertIn("INTEGER PRIMARY KEY", plan)
        self.assertEqual(self.db.execute(SQL_MINE, (43, 7, "d:%064x" % 5)).fetchone()[0], 43)
        self.assertIsNone(self.db.execute(SQL_MINE, (43, 7, "d:%064x" % 6)).fetchone())


if __name__ == "__main__":
    unittest.main()
