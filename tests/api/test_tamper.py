"""Tamper detection: `tala check` verifies the audit hash chain. Changing an entry or
removing one behind the server's back is found (exit 1, naming the entry); an untouched
database passes (exit 0)."""
import re
import unittest

from harness import ServerTestCase, run_tala


class TamperDetectionTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        # Some activity through the API, then a graceful stop: the log is complete on disk.
        admin = cls.as_user("admin")
        r = admin.post("/api/v1/org/nodes", json={"parent": "daban", "code": "tamper-v",
                                                   "name": "篡改测试村", "level": "village"})
        assert r.status == 201, r
        cls.as_user("auditor").get("/api/v1/audit")
        cls.server.client().login("county", "Wrong@2026")
        cls.server.stop()
        cls.db = cls.server.db
        cls.last_seq = int(cls.db.sql("SELECT max(seq) FROM audit_log").strip())
        assert cls.last_seq > 5, cls.last_seq

    def check(self, db):
        p = run_tala(["check", "--db", db.url] + db.key_args())
        return p.returncode, p.stdout + p.stderr

    def test_untouched_database_passes(self):
        rc, out = self.check(self.db.copy("clean"))
        self.assertEqual(rc, 0, out)
        self.assertIn("intact", out)

    def test_an_altered_entry_is_found_and_named(self):
        db = self.db.copy("altered")
        db.sql("UPDATE audit_log SET detail = 'x' WHERE seq = 3")
        rc, out = self.check(db)
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"\bentry 3\b")
        self.assertFalse(re.search(r"\bentry [124]\b", out), out)

    def test_an_altered_actor_is_found(self):
        db = self.db.copy("actor")
        db.sql("UPDATE audit_log SET username = 'nobody', ip = '10.0.0.1' WHERE seq = %d"
               % (self.last_seq - 1))
        rc, out = self.check(db)
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"\bentry %d\b" % (self.last_seq - 1))

    def test_a_deleted_last_entry_is_found(self):
        db = self.db.copy("truncated")
        db.sql("DELETE FROM audit_log WHERE seq = %d" % self.last_seq)
        rc, out = self.check(db)
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"\b%d\b" % self.last_seq)

    def test_a_deleted_middle_entry_is_found(self):
        db = self.db.copy("gap")
        db.sql("DELETE FROM audit_log WHERE seq = 4")
        rc, out = self.check(db)
        self.assertEqual(rc, 1, out)
        self.assertRegex(out, r"\b4\b")

    def test_the_original_is_still_intact(self):
        rc, out = self.check(self.db)
        self.assertEqual(rc, 0, out)


if __name__ == "__main__":
    unittest.main()
