"""Scoring periods through the public display (公示) to a seal: close → publish (refused while
an entry is pending) → objections during publicity → seal refused while an objection is open
or before publicity ends → decided objections (upheld: a reversal entry; rejected: recorded)
→ the clock moves past publicity_days → seal with an SM3 seal_hash. Then the sealed ledger is
tampered with behind the server's back and `tala check` names what changed."""
import re
import unittest

from test_points_common import DAY_MS, HEX64_RE, PointsCase, tala_check

VILLAGE = "haoributu"


class PointsPeriodsTest(PointsCase):
    VILLAGE = VILLAGE
    state = {}

    @classmethod
    def prepare(cls):
        cls.maker = cls.add_user("hmaker", node=VILLAGE)
        cls.chk = cls.add_user("hcheck", node=VILLAGE)
        cls.new_item(cls.maker, "q-ten", 10)
        cls.new_item(cls.maker, "q-three", 3)

    def periods(self):
        r = self.maker.get("/api/v1/points/periods?node=%s" % VILLAGE)
        self.assertEqual(r.status, 200, r)
        return {p["id"]: p for p in r.json["items"]}

    def transition(self, pid, verb, client=None):
        return (client or self.maker).post("/api/v1/points/periods/%d/%s" % (pid, verb))

    def approve(self, eid):
        return self.chk.post("/api/v1/points/entries/%d/approve" % eid)

    def object_to(self, eid, text="群众反映情况不实"):
        return self.maker.post("/api/v1/points/objections", json={"entry": eid, "text": text})

    def test_1_period_lifecycle_to_seal(self):
        mk, st = self.maker, type(self).state
        r = mk.post("/api/v1/points/periods", json={"node": VILLAGE, "name": "2026-试点",
                                                    "publicity_days": 3})
        self.assertEqual(r.status, 201, r)
        p = r.json
        pid = p["id"]
        self.assertEqual((p["name"], p["status"], p["publicity_days"], p["publicity_until"],
                          p["seal_hash"], p["closed_at"], p["sealed_at"], p["node"]["code"],
                          p["pending_entries"], p["open_objections"]),
                         ("2026-试点", "open", 3, None, None, None, None, VILLAGE, 0, 0))
        # One open period per village.
        self.assert_problem(mk.post("/api/v1/points/periods", json={"node": VILLAGE,
                                                                    "name": "另一个"}),
                            409, "points.bad_state")

        ha = self.new_household(mk)["id"]
        hb = self.new_household(mk)["id"]
        e1 = self.post_entry(mk, ha, "q-ten").json
        e2 = self.post_entry(mk, hb, "q-ten").json
        e3 = self.post_entry(mk, ha, "q-three").json
        e4 = self.post_entry(mk, hb, "q-three").json
        for e in (e1, e2, e3, e4):
            self.assertEqual(e["period_id"], pid)
        self.assertEqual(self.approve(e1["id"]).status, 200)
        self.assertEqual(self.approve(e2["id"]).status, 200)
        self.assertEqual(self.chk.post("/api/v1/points/entries/%d/reject" % e4["id"],
                                       json={"reason": "不符合"}).status, 200)

        # Out of order.
        self.assert_problem(self.transition(pid, "publish"), 409, "points.bad_state")
        self.assert_problem(self.transition(pid, "seal"), 409, "points.bad_state")
        # Close.
        r = self.transition(pid, "close")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "closed")
        self.assertIsInstance(r.json["closed_at"], int)
        self.assert_problem(self.transition(pid, "close"), 409, "points.bad_state")
        self.assert_problem(self.object_to(e1["id"]), 409, "points.bad_state")
        # A period name is used once per village.
        self.assert_problem(mk.post("/api/v1/points/periods", json={"node": VILLAGE,
                                                                    "name": "2026-试点"}),
                            409, "points.exists")
        # Publish refused while e3 is pending.
        self.assertEqual(self.periods()[pid]["pending_entries"], 1)
        self.assert_problem(self.transition(pid, "publish"), 409, "points.bad_state")
        self.assertEqual(self.periods()[pid]["status"], "closed")
        # A closed period still takes decisions.
        self.assertEqual(self.approve(e3["id"]).status, 200)
        before = type(self).server.now()
        r = self.transition(pid, "publish")
        self.assertEqual(r.status, 200, r)
        after = type(self).server.now()
        self.assertEqual(r.json["status"], "publicity")
        self.assertEqual(r.json["pending_entries"], 0)
        self.assertTrue(before + 3 * DAY_MS <= r.json["publicity_until"] <= after + 3 * DAY_MS,
                        r.json)
        self.assert_problem(self.transition(pid, "publish"), 409, "points.bad_state")
        self.assert_problem(self.transition(pid, "close"), 409, "points.bad_state")

        # No entry can be decided in a period under publicity: a pending entry put there
        # behind the server's back is refused.
        inj = self.inject_pending(e2["id"])
        self.assert_problem(self.approve(inj), 409, "points.bad_state")
        self.assert_problem(self.chk.post("/api/v1/points/entries/%d/reject" % inj,
                                          json={"reason": "x"}), 409, "points.bad_state")

        # Objections during publicity: on approved entries only.
        o1 = self.object_to(e1["id"], "该户卫生实际不达标")
        self.assertEqual(o1.status, 201, o1)
        self.assertEqual((o1.json["entry_id"], o1.json["period_id"], o1.json["status"]),
                         (e1["id"], pid, "open"))
        o2 = self.object_to(e2["id"])
        self.assertEqual(o2.status, 201, o2)
        self.assert_problem(self.object_to(e4["id"]), 409, "points.bad_state")  # rejected
        self.assert_problem(self.object_to(inj), 409, "points.bad_state")  # pending
        with self.subTest("a blank objection text is refused"):
            r = self.object_to(e2["id"], "  \u3000 ")
            if r.status == 201:  # keep the lifecycle going: decide the stray objection
                mk.post("/api/v1/points/objections/%d/decide" % r.json["id"],
                        json={"uphold": False, "decision": "空白异议"})
            self.assert_problem(r, 400, "request.bad_field", "text")
        self.assertEqual(self.periods()[pid]["open_objections"], 2)
        # Seal refused: publicity running and objections open.
        self.assert_problem(self.transition(pid, "seal"), 409, "points.bad_state")

        # Uphold o1: a reversal entry in this period.
        r = mk.post("/api/v1/points/objections/%d/decide" % o1.json["id"],
                    json={"uphold": True, "decision": "经核实属实，撤销该项积分"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["entry_id"]), ("upheld", e1["id"]))
        rev_id = r.json["reversal_id"]
        self.assertIsInstance(rev_id, int)
        pa = self.hh_points(mk, ha)
        self.assertEqual(pa["balance"], 3)
        by_id = {x["id"]: x for x in pa["entries"]}
        self.assertEqual((by_id[rev_id]["points"], by_id[rev_id]["reverses"],
                          by_id[rev_id]["period_id"], by_id[rev_id]["status"]),
                         (-10, e1["id"], pid, "approved"))
        self.assertEqual(by_id[e1["id"]]["reversed_by"], rev_id)
        self.assertIn("经核实属实", by_id[rev_id]["reason"])
        self.assert_problem(mk.post("/api/v1/points/objections/%d/decide" % o1.json["id"],
                                    json={"uphold": False, "decision": "改判"}),
                            409, "points.bad_state")
        self.assert_problem(self.transition(pid, "seal"), 409, "points.bad_state")
        # Reject o2: recorded, no points move.
        r = mk.post("/api/v1/points/objections/%d/decide" % o2.json["id"],
                    json={"uphold": False, "decision": "经核实不属实"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["reversal_id"]), ("rejected", None))
        self.assertEqual(self.hh_points(mk, hb)["balance"], 10)
        objs = {o["id"]: o for o in mk.get("/api/v1/points/objections?node=%s&period=%d"
                                          % (VILLAGE, pid)).json["items"]}
        self.assertEqual((objs[o1.json["id"]]["status"], objs[o1.json["id"]]["reversal_id"],
                          objs[o1.json["id"]]["decision"]),
                         ("upheld", rev_id, "经核实属实，撤销该项积分"))
        self.assertEqual((objs[o2.json["id"]]["status"], objs[o2.json["id"]]["reversal_id"],
                          objs[o2.json["id"]]["decision"]), ("rejected", None, "经核实不属实"))
        self.assertEqual(self.periods()[pid]["open_objections"], 0)
        # Every objection decided, but publicity still runs.
        self.assert_problem(self.transition(pid, "seal"), 409, "points.bad_state")

        # Past publicity_days: no more objections; the seal.
        self.advance_days(3)
        type(self).server.advance(60000)
        self.assert_problem(self.object_to(e2["id"]), 409, "points.bad_state")
        r = self.transition(pid, "seal")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "sealed")
        self.assertRegex(r.json["seal_hash"], HEX64_RE)
        self.assertIsInstance(r.json["sealed_at"], int)
        seal = r.json["seal_hash"]
        self.assertEqual(self.periods()[pid]["seal_hash"], r.json["seal_hash"])
        for verb in ("seal", "close", "publish"):
            self.assert_problem(self.transition(pid, verb), 409, "points.bad_state")
        self.assert_problem(self.approve(inj), 409, "points.bad_state")
        self.assert_problem(self.object_to(e3["id"]), 409, "points.bad_state")
        type(self).server.db.sql("DELETE FROM points_entries WHERE id = %d" % inj)

        # A reversal of a sealed entry lands in the village's open period (opened by itself).
        r = mk.post("/api/v1/points/entries/%d/reverse" % e3["id"], json={"reason": "封存后更正"})
        self.assertEqual(r.status, 201, r)
        self.assertNotEqual(r.json["period_id"], pid)
        newp = self.periods()[r.json["period_id"]]
        self.assertEqual(newp["status"], "open")
        self.assertRegex(newp["name"], r"^\d{4}Q[1-4]$")
        self.assertEqual(self.hh_points(mk, ha)["balance"], 0)
        self.assertEqual(self.periods()[pid]["seal_hash"], seal)
        self.assert_check_passes()
        st.update(pid=pid, e1=e1["id"], e2=e2["id"], e3=e3["id"], e4=e4["id"], ha=ha, hb=hb,
                  seal=self.periods()[pid]["seal_hash"])

    def inject_pending(self, like_entry):
        """A pending copy of an entry, inserted with SQL in the same period; returns its id."""
        out = type(self).server.db.sql(
            "INSERT INTO points_entries (county_id, node_id, period_id, household_id, item_id, "
            "points, note, idempotency_key, body_hash, status, maker_id, created_at) "
            "SELECT county_id, node_id, period_id, household_id, item_id, points, 'injected', "
            "'injected-' || CAST(id AS TEXT), body_hash, 'pending', maker_id, created_at "
            "FROM points_entries WHERE id = %d RETURNING id" % like_entry)
        return int(out.strip().splitlines()[0])

    def test_2_tampering_with_a_sealed_period_is_found(self):
        st = type(self).state
        if not st:
            self.skipTest("the lifecycle test did not finish")
        type(self).server.stop()
        db = type(self).server.db
        pid = st["pid"]
        period_re = re.compile(r"\bperiod %d\b" % pid)

        clean = db.copy("clean")
        rc, out = tala_check(clean)
        self.assertEqual(rc, 0, out)

        # The note is not part of the seal.
        c = db.copy("note")
        c.sql("UPDATE points_entries SET note = '改过的备注' WHERE id = %d" % st["e2"])
        rc, out = tala_check(c)
        self.assertEqual(rc, 0, out)

        for name, sql in (
                ("points", "UPDATE points_entries SET points = 100 WHERE id = %d" % st["e2"]),
                ("status", "UPDATE points_entries SET status = 'rejected' WHERE id = %d"
                 % st["e1"]),
                ("household", "UPDATE points_entries SET household_id = %d WHERE id = %d"
                 % (st["ha"], st["e2"])),
                ("deleted", "DELETE FROM points_entries WHERE id = %d" % st["e4"])):
            with self.subTest(tamper=name):
                c = db.copy("t_" + name)
                c.sql(sql)
                rc, out = tala_check(c)
                self.assertEqual(rc, 1, out)
                self.assertRegex(out, period_re)

        # The ledger is append-only: the database itself refuses changes.
        c = db.copy("ledger")
        for sql in ("UPDATE points_transfers SET amount = amount + 1",
                    "UPDATE points_transfers SET debit = 'hh:0' WHERE id = (SELECT MAX(id) "
                    "FROM points_transfers)",
                    "DELETE FROM points_transfers WHERE id = (SELECT MAX(id) "
                    "FROM points_transfers)"):
            with self.subTest(sql=sql):
                with self.assertRaises(RuntimeError) as cm:
                    c.sql(sql)
                self.assertIn("append-only", str(cm.exception))
        rc, out = tala_check(c)
        self.assertEqual(rc, 0, out)

        # A changed balance cache is found, naming the account.
        c = db.copy("balance")
        c.sql("UPDATE points_balances SET posted = posted + 5 WHERE account = 'hh:%d'" % st["hb"])
        rc, out = tala_check(c)
        self.assertEqual(rc, 1, out)
        self.assertIn("hh:%d" % st["hb"], out)
        c = db.copy("balance_gone")
        c.sql("DELETE FROM points_balances WHERE account = 'hh:%d'" % st["hb"])
        rc, out = tala_check(c)
        self.assertEqual(rc, 1, out)

        # The original is untouched.
        rc, out = tala_check(db)
        self.assertEqual(rc, 0, out)

    def test_3_a_forged_transfer_is_found(self):
        # The append-only trigger refuses UPDATE and DELETE but lets INSERT through: a credit
        # of 500 points with no entry behind it, the balance cache bumped to match. The
        # household's balance then disagrees with its approved entries; `tala check` must say so.
        st = type(self).state
        if not st:
            self.skipTest("the lifecycle test did not finish")
        type(self).server.stop()
        c = type(self).server.db.copy("forged")
        first = ("(SELECT %s FROM points_transfers WHERE credit = 'hh:%d' ORDER BY id LIMIT 1)"
                 % ("debit", st["hb"]))
        c.sql("INSERT INTO points_transfers (county_id, node_id, debit, credit, amount, phase, "
              "created_at) SELECT county_id, node_id, debit, credit, 500, 'posted', created_at "
              "FROM points_transfers WHERE credit = 'hh:%d' ORDER BY id LIMIT 1" % st["hb"])
        c.sql("UPDATE points_balances SET posted = posted + 500 WHERE account = 'hh:%d'"
              % st["hb"])
        c.sql("UPDATE points_balances SET posted = posted - 500 WHERE account = %s" % first)
        rc, out = tala_check(c)
        self.assertEqual(rc, 1, "tala check passed a 500-point transfer that no entry backs:\n"
                         + out)


if __name__ == "__main__":
    unittest.main()
