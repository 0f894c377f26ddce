"""Concurrent writers: every request answers, nothing is lost, household codes stay unique,
and the audit hash chain stays one unbroken chain (`tala check`)."""
import threading
import unittest

from harness import ServerTestCase, run_tala, id_number

THREADS = 8
EACH = 8


class ConcurrencyTest(ServerTestCase):
    def run_threads(self, fn):
        errors, results = [], []
        lock = threading.Lock()

        def wrap(i):
            try:
                out = fn(i)
                with lock:
                    results.append(out)
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(repr(e))
        ts = [threading.Thread(target=wrap, args=(i,)) for i in range(THREADS)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        self.assertEqual(errors, [])
        return results

    def test_parallel_writes_are_all_kept_and_the_audit_chain_holds(self):
        sec = self.as_user("secretary")
        town = self.as_user("town")
        before = len(sec.get("/api/v1/households?node=hutele").json["items"])

        def work(i):
            client = sec if i % 2 == 0 else town
            statuses, ids = [], []
            for k in range(EACH):
                members = [{"name": "并发%d-%d" % (i, k),
                            "id_number": id_number("19%02d0101" % (50 + i), 100 * i + k)}]
                r = client.post("/api/v1/households", json={
                    "node": "hutele", "head_name": "并发户%d-%d" % (i, k), "members": members})
                statuses.append(r.status)
                if r.status == 201:
                    ids.append(r.json["id"])
            return statuses, ids
        results = self.run_threads(work)
        statuses = [s for st, _ in results for s in st]
        self.assertEqual(statuses, [201] * (THREADS * EACH))
        ids = [i for _, ids in results for i in ids]
        self.assertEqual(len(set(ids)), THREADS * EACH)
        items = sec.get("/api/v1/households?node=hutele").json["items"]
        self.assertEqual(len(items), before + THREADS * EACH)
        codes = [h["code"] for h in items]
        self.assertEqual(len(set(codes)), len(codes))
        # One audit entry per household, in one unbroken chain.
        auditor = self.as_user("auditor")
        entries = auditor.get("/api/v1/audit?action=household.create&limit=500").json["items"]
        self.assertEqual(len(entries), THREADS * EACH)
        db = type(self).server.db
        p = run_tala(["check", "--db", db.url] + db.key_args())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_parallel_failed_logins_all_count(self):
        def work(i):
            c = type(self).server.client()
            return c.login("volunteer", "Wrong@2026").status
        statuses = self.run_threads(work)
        self.assertTrue(all(s in (401, 423) for s in statuses), statuses)
        self.assertGreaterEqual(statuses.count(401), 5)
        r = type(self).server.client().login("volunteer")
        self.assert_problem(r, 423, "auth.locked")


if __name__ == "__main__":
    unittest.main()
