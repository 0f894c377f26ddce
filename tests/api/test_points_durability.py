"""kill -9 durability of the points ledger: a burst of entry creations and approvals from
several threads, the server killed with SIGKILL mid-burst, restarted on the same database.
Every entry answered 201 exists, every approval answered 200 stuck, retrying the requests that
got no answer makes each entry exactly once, balances equal the approved entries, and
`tala check` passes."""
import http.client
import os
import signal
import threading
import unittest

from harness import Client
from test_points_common import PointsCase, new_key

THREADS = 4
HOUSEHOLDS = 4
KILL_AFTER = 60          # acknowledged answers before the kill
BURST_TIMEOUT = 30.0
NET_ERRORS = (OSError, http.client.HTTPException)


class PointsKillDurabilityTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("dcheck")
        cls.new_item(cls.sec, "d-two", 2)
        cls.hhs = [cls.new_household(cls.sec)["id"] for _ in range(HOUSEHOLDS)]

    def signed_in(self, user):
        c = Client(type(self).server)
        r = c.login(user)
        self.assertEqual(r.status, 200, r)
        return c

    def test_kill_9_mid_burst_loses_nothing_acknowledged(self):
        srv = type(self).server
        makers = [self.signed_in("secretary") for _ in range(THREADS)]
        checkers = [self.signed_in("dcheck") for _ in range(THREADS)]
        lock = threading.Lock()
        stop = threading.Event()
        enough = threading.Event()
        acked = {}          # entry id → "pending" | "approved" (acknowledged state)
        key_of = {}         # entry id → idempotency key
        attempted = {}      # key → request body (every entry request sent)
        unexpected = []
        count = [0]

        def ack(n=1):
            count[0] += n
            if count[0] >= KILL_AFTER:
                enough.set()

        def worker(i):
            seq = 0
            while not stop.is_set():
                seq += 1
                hh = self.hhs[(i + seq) % HOUSEHOLDS]
                key = new_key("burst%d" % i)
                body = {"household": hh, "item": "d-two", "note": "t%d-%d" % (i, seq),
                        "idempotency_key": key}
                with lock:
                    attempted[key] = body
                try:
                    r = makers[i].post("/api/v1/points/entries", json=body)
                except NET_ERRORS:
                    return
                if r.status != 201:
                    with lock:
                        unexpected.append(("create", r))
                    return
                eid = r.json["id"]
                with lock:
                    acked[eid] = "pending"
                    key_of[eid] = key
                    ack()
                if seq % 4 == 0:
                    continue  # leave some pending
                try:
                    a = checkers[i].post("/api/v1/points/entries/%d/approve" % eid)
                except NET_ERRORS:
                    return
                if a.status != 200:
                    with lock:
                        unexpected.append(("approve", a))
                    return
                with lock:
                    acked[eid] = "approved"
                    ack()

        threads = [threading.Thread(target=worker, args=(i,), daemon=True)
                   for i in range(THREADS)]
        for t in threads:
            t.start()
        self.assertTrue(enough.wait(BURST_TIMEOUT), "the burst stalled: %d answers" % count[0])
        os.kill(srv.proc.pid, signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join(30)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertEqual(unexpected, [])
        srv.kill()  # reaps the process, closes the log

        srv.start()  # the same database
        type(self)._clients = {}
        sec = self.as_user("secretary")
        chk = self.as_user("dcheck")

        # Every acknowledged entry is there, in at least its acknowledged state.
        rows = {}
        for hh in self.hhs:
            p = self.hh_points(sec, hh)
            self.assertEqual(p["balance"], sum(e["points"] for e in p["entries"]
                                               if e["status"] == "approved"), p)
            self.assertEqual((p["pending"], p["available"]), (0, p["balance"]))
            for e in p["entries"]:
                rows[e["id"]] = e
        for eid, state in acked.items():
            self.assertIn(eid, rows, "acknowledged entry %d lost" % eid)
            if state == "approved":
                self.assertEqual(rows[eid]["status"], "approved", rows[eid])
            else:
                self.assertIn(rows[eid]["status"], ("pending", "approved"), rows[eid])
        for hh in self.hhs:
            acked_points = sum(2 for eid, st in acked.items()
                               if st == "approved" and rows[eid]["household"]["id"] == hh)
            self.assertGreaterEqual(self.hh_points(sec, hh)["balance"], acked_points)

        # Retrying every request (as an offline client would) makes each entry exactly once.
        by_key = {}
        for key, body in attempted.items():
            r = sec.post("/api/v1/points/entries", json=body)
            self.assertIn(r.status, (200, 201), r)
            by_key[key] = r.json["id"]
            if r.status == 200:
                self.assertIn(r.json["id"], rows)
        for eid, key in key_of.items():
            self.assertEqual(by_key[key], eid)
        self.assertEqual(len(set(by_key.values())), len(attempted))
        total = sum(len(self.hh_points(sec, hh)["entries"]) for hh in self.hhs)
        self.assertEqual(total, len(attempted))

        # The restarted server works on: approve what is pending, the ledger balances.
        for hh in self.hhs:
            for e in self.hh_points(sec, hh)["entries"]:
                if e["status"] == "pending":
                    self.assertEqual(chk.post("/api/v1/points/entries/%d/approve"
                                              % e["id"]).status, 200)
        for hh in self.hhs:
            p = self.hh_points(sec, hh)
            self.assertEqual(p["balance"], 2 * len(p["entries"]))
        self.assert_check_passes()


if __name__ == "__main__":
    unittest.main()
