"""The points store (积分超市): holds reduce `available`, not `balance`; cancel and expiry give
stock and points back; pick-up posts the points; and under concurrency the last item goes to
exactly one household, a household's points are spent once, an entry is approved or reversed
once, and a retried entry is made once."""
import threading
import unittest

from harness import Client
from test_points_common import DAY_MS, PointsCase, new_key

THREADS = 8


class PointsHoldsTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("storecheck")
        cls.new_item(cls.sec, "st-ten", 10)

    def balances(self, hh):
        p = self.hh_points(self.sec, hh)
        self.assertEqual(p["available"], p["balance"] - p["pending"], p)
        self.assertGreaterEqual(p["available"], 0, p)
        return p["balance"], p["pending"], p["available"]

    def stock(self, goods):
        return self.goods_by_id(self.sec, "hutele", goods["id"])["stock"]

    def settle(self, rid, verb):
        return self.sec.post("/api/v1/points/redemptions/%d/%s" % (rid, verb))

    def test_hold_cancel_pickup(self):
        sec = self.sec
        hh = self.new_household(sec)["id"]
        self.earn(sec, self.chk, hh, "st-ten", 3)
        soap = self.new_goods(sec, price=8, stock=3, name="香皂")
        oil = self.new_goods(sec, price=10, stock=5, name="食用油")
        self.assertEqual(self.balances(hh), (30, 0, 30))

        now = type(self).server.now()
        key = new_key("hold")
        r1 = self.redeem(sec, hh, soap["id"], quantity=2, key=key)
        self.assertEqual(r1.status, 201, r1)
        r1 = r1.json
        self.assertEqual((r1["household"]["id"], r1["goods"]["id"], r1["quantity"], r1["amount"],
                          r1["status"], r1["settled_at"]), (hh, soap["id"], 2, 16, "held", None))
        self.assertTrue(now + 7 * DAY_MS <= r1["expires_at"] <= now + 7 * DAY_MS + 60000, r1)
        # A hold reduces available, not balance.
        self.assertEqual(self.balances(hh), (30, 16, 14))
        self.assertEqual(self.stock(soap), 1)

        # Retries.
        again = self.redeem(sec, hh, soap["id"], quantity=2, key=key)
        self.assertEqual((again.status, again.json["id"]), (200, r1["id"]))
        self.assert_problem(self.redeem(sec, hh, soap["id"], quantity=1, key=key), 409,
                            "points.idempotency_conflict", "idempotency_key")
        self.assertEqual(self.stock(soap), 1)
        self.assertEqual(self.balances(hh), (30, 16, 14))

        self.assert_problem(self.redeem(sec, hh, soap["id"], quantity=2), 409,
                            "points.out_of_stock", "goods")
        r2 = self.redeem(sec, hh, soap["id"], quantity=1)
        self.assertEqual(r2.status, 201, r2)
        r2 = r2.json
        self.assertEqual(self.stock(soap), 0)
        self.assertEqual(self.balances(hh), (30, 24, 6))
        self.assert_problem(self.redeem(sec, hh, oil["id"]), 409, "points.insufficient")
        self.assertEqual(self.stock(oil), 5)
        self.assertEqual(self.balances(hh), (30, 24, 6))

        # Cancel gives back the stock and the points.
        r = self.settle(r2["id"], "cancel")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "cancelled")
        self.assertIsInstance(r.json["settled_at"], int)
        self.assertEqual(self.stock(soap), 1)
        self.assertEqual(self.balances(hh), (30, 16, 14))
        self.assert_problem(self.settle(r2["id"], "cancel"), 409, "points.bad_state")
        self.assert_problem(self.settle(r2["id"], "pickup"), 409, "points.bad_state")

        # Pick-up posts the held points.
        r = self.settle(r1["id"], "pickup")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "picked_up")
        self.assertEqual(self.stock(soap), 1)
        self.assertEqual(self.balances(hh), (14, 0, 14))
        self.assert_problem(self.settle(r1["id"], "pickup"), 409, "points.bad_state")
        self.assert_problem(self.settle(r1["id"], "cancel"), 409, "points.bad_state")
        # A retry of the original redemption request answers the picked-up redemption.
        again = self.redeem(sec, hh, soap["id"], quantity=2, key=key)
        self.assertEqual((again.status, again.json["id"], again.json["status"]),
                         (200, r1["id"], "picked_up"))
        self.assertEqual(self.balances(hh), (14, 0, 14))

        statuses = {r["id"]: r["status"] for r in self.redemptions(sec, "hutele")}
        self.assertEqual((statuses[r1["id"]], statuses[r2["id"]]), ("picked_up", "cancelled"))
        self.assertEqual([r["id"] for r in self.redemptions(sec, "hutele", "picked_up")
                          if r["household"]["id"] == hh], [r1["id"]])
        self.assert_check_passes()

    def test_zz_expiry(self):
        # Runs last in the class: it moves the clock.
        sec = self.sec
        hh = self.new_household(sec)["id"]
        self.earn(sec, self.chk, hh, "st-ten", 3)
        milk = self.new_goods(sec, price=5, stock=4, name="牛奶")
        towel = self.new_goods(sec, price=2, stock=9, name="毛巾")
        r3 = self.redeem(sec, hh, milk["id"]).json
        r4 = self.redeem(sec, hh, milk["id"]).json
        self.assertEqual(self.balances(hh), (30, 10, 20))
        self.assertEqual(self.stock(milk), 2)

        self.advance_days(8)
        # The hold ran out: no pick-up, even before the sweep has run.
        self.assert_problem(self.settle(r4["id"], "pickup"), 409, "points.bad_state")
        # Listing the village's redemptions voids the expired holds.
        rows = {r["id"]: r for r in self.redemptions(sec, "hutele")}
        self.assertEqual((rows[r3["id"]]["status"], rows[r4["id"]]["status"]),
                         ("expired", "expired"))
        self.assertIsInstance(rows[r3["id"]]["settled_at"], int)
        self.assertEqual({r["id"] for r in self.redemptions(sec, "hutele", "expired")} &
                         {r3["id"], r4["id"]}, {r3["id"], r4["id"]})
        self.assertEqual(self.stock(milk), 4)
        self.assertEqual(self.balances(hh), (30, 0, 30))
        self.assert_problem(self.settle(r3["id"], "pickup"), 409, "points.bad_state")
        self.assert_problem(self.settle(r3["id"], "cancel"), 409, "points.bad_state")

        # A new redemption in the village sweeps too.
        r5 = self.redeem(sec, hh, milk["id"]).json
        self.assertEqual(self.balances(hh), (30, 5, 25))
        self.advance_days(8)
        r6 = self.redeem(sec, hh, towel["id"])
        self.assertEqual(r6.status, 201, r6)
        self.assertEqual(self.balances(hh), (30, 2, 28))
        self.assertEqual(self.stock(milk), 4)
        rows = {r["id"]: r for r in self.redemptions(sec, "hutele", "held")}
        self.assertNotIn(r5["id"], rows)
        self.assertIn(r6.json["id"], rows)
        self.assert_check_passes()


class PointsConcurrencyTest(PointsCase):
    """Races between separately signed-in clients, released together by a barrier."""

    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("racecheck")
        cls.new_item(cls.sec, "race-ten", 10)
        cls.makers, cls.checkers = [], []
        for _ in range(THREADS):
            for user, pool in (("secretary", cls.makers), ("racecheck", cls.checkers)):
                c = Client(cls.server)
                r = c.login(user)
                assert r.status == 200, r
                pool.append(c)

    def race(self, fn):
        """Runs fn(i) in THREADS threads released at once; returns the results by i."""
        barrier = threading.Barrier(THREADS)
        results, errors = [None] * THREADS, []

        def run(i):
            try:
                barrier.wait(10)
                results[i] = fn(i)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
        ts = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        self.assertEqual(errors, [])
        return results

    def households_with(self, n, tens=1):
        out = []
        for _ in range(n):
            hh = self.new_household(self.sec)["id"]
            self.earn(self.sec, self.chk, hh, "race-ten", tens)
            out.append(hh)
        return out

    def test_the_last_item_goes_to_exactly_one_household(self):
        for rnd in range(3):
            with self.subTest(round=rnd):
                hhs = self.households_with(THREADS)
                goods = self.new_goods(self.sec, price=10, stock=1, name="最后一件%d" % rnd)
                res = self.race(lambda i: self.redeem(self.makers[i], hhs[i], goods["id"]))
                statuses = sorted(r.status for r in res)
                self.assertEqual(statuses, [201] + [409] * (THREADS - 1), res)
                for r in res:
                    if r.status == 409:
                        self.assert_problem(r, 409, "points.out_of_stock", "goods")
                winner = next(i for i, r in enumerate(res) if r.status == 201)
                self.assertEqual(self.goods_by_id(self.sec, "hutele", goods["id"])["stock"], 0)
                for i, hh in enumerate(hhs):
                    p = self.hh_points(self.sec, hh)
                    want = (10, 10, 0) if i == winner else (10, 0, 10)
                    self.assertEqual((p["balance"], p["pending"], p["available"]), want)
                held = [r for r in self.redemptions(self.sec, "hutele", "held")
                        if r["goods"]["id"] == goods["id"]]
                self.assertEqual([(r["id"], r["household"]["id"]) for r in held],
                                 [(res[winner].json["id"], hhs[winner])])
        self.assert_check_passes()

    def test_a_households_points_are_spent_once(self):
        hh = self.households_with(1)[0]
        goods = self.new_goods(self.sec, price=10, stock=THREADS, name="抢兑")
        res = self.race(lambda i: self.redeem(self.makers[i], hh, goods["id"]))
        self.assertEqual(sorted(r.status for r in res), [201] + [409] * (THREADS - 1), res)
        for r in res:
            if r.status == 409:
                self.assert_problem(r, 409, "points.insufficient")
        p = self.hh_points(self.sec, hh)
        self.assertEqual((p["balance"], p["pending"], p["available"]), (10, 10, 0))
        self.assertEqual(self.goods_by_id(self.sec, "hutele", goods["id"])["stock"],
                         THREADS - 1)
        self.assert_check_passes()

    def test_a_deduction_and_redemptions_cannot_both_spend_the_same_points(self):
        # 10 points; a pending −10 deduction. Half the threads approve the deduction, half
        # redeem a 10-point item: exactly one of them can have the 10 points.
        self.new_item(self.sec, "race-minus10", -10)
        hh = self.households_with(1)[0]
        ded = self.post_entry(self.sec, hh, "race-minus10").json
        goods = self.new_goods(self.sec, price=10, stock=THREADS, name="混合竞争")

        def go(i):
            if i % 2:
                return "approve", self.checkers[i].post(
                    "/api/v1/points/entries/%d/approve" % ded["id"])
            return "redeem", self.redeem(self.makers[i], hh, goods["id"])
        res = self.race(go)
        wins = [(k, r) for k, r in res if r.status in (200, 201)]
        self.assertEqual(len(wins), 1, res)
        for k, r in res:
            if r.status not in (200, 201):
                self.assertEqual(r.status, 409, r)
                self.assertIn(r.json["code"], ("points.insufficient", "points.bad_state"), r)
        p = self.hh_points(self.sec, hh)
        self.assertEqual(p["available"], 0, p)
        if wins[0][0] == "approve":
            self.assertEqual((p["balance"], p["pending"]), (0, 0))
        else:
            self.assertEqual((p["balance"], p["pending"]), (10, 10))
        self.assert_check_passes()

    def test_an_entry_is_approved_once(self):
        hh = self.new_household(self.sec)["id"]
        e = self.post_entry(self.sec, hh, "race-ten").json
        res = self.race(lambda i: self.checkers[i].post(
            "/api/v1/points/entries/%d/approve" % e["id"]))
        self.assertEqual(sorted(r.status for r in res), [200] + [409] * (THREADS - 1), res)
        for r in res:
            if r.status == 409:
                self.assert_problem(r, 409, "points.bad_state")
        self.assertEqual(self.hh_points(self.sec, hh)["balance"], 10)
        self.assert_check_passes()

    def test_an_entry_is_reversed_once(self):
        hh = self.households_with(1, tens=2)[0]
        e = self.post_entry(self.sec, hh, "race-ten").json
        self.assertEqual(self.chk.post("/api/v1/points/entries/%d/approve" % e["id"]).status,
                         200)
        res = self.race(lambda i: self.makers[i].post(
            "/api/v1/points/entries/%d/reverse" % e["id"], json={"reason": "并发冲正%d" % i}))
        self.assertEqual(sorted(r.status for r in res), [201] + [409] * (THREADS - 1), res)
        for r in res:
            if r.status == 409:
                self.assert_problem(r, 409, "points.already_reversed")
        p = self.hh_points(self.sec, hh)
        self.assertEqual(p["balance"], 20)
        self.assertEqual(len([x for x in p["entries"] if x["reverses"] == e["id"]]), 1)
        self.assert_check_passes()

    def test_a_retried_entry_is_made_once(self):
        hh = self.new_household(self.sec)["id"]
        key = new_key("retry")
        res = self.race(lambda i: self.post_entry(self.makers[i], hh, "race-ten", note="同一条",
                                                  key=key))
        self.assertEqual(sorted(r.status for r in res), [200] * (THREADS - 1) + [201], res)
        self.assertEqual(len({r.json["id"] for r in res}), 1, res)
        self.assertEqual(len(self.hh_points(self.sec, hh)["entries"]), 1)

    def test_first_entries_of_a_village_open_one_period(self):
        # chaganmulun-g has no period yet: the first entry opens the current quarter. Eight
        # first entries at once must all land in one period, none refused.
        village = "chaganmulun-g"
        town = [Client(type(self).server) for _ in range(THREADS)]
        for c in town:
            self.assertEqual(c.login("town").status, 200)
        r = town[0].get("/api/v1/points/periods?node=%s" % village)
        self.assertEqual(r.json["items"], [])
        self.new_item(town[0], "race-first", 4, node=village)
        hhs = [self.new_household(town[0], node=village)["id"] for _ in range(THREADS)]
        res = self.race(lambda i: self.post_entry(town[i], hhs[i], "race-first"))
        self.assertEqual([r.status for r in res], [201] * THREADS, res)
        periods = town[0].get("/api/v1/points/periods?node=%s" % village).json["items"]
        self.assertEqual(len(periods), 1, periods)
        self.assertEqual(periods[0]["status"], "open")
        self.assertRegex(periods[0]["name"], r"^\d{4}Q[1-4]$")
        self.assertEqual({r.json["period_id"] for r in res}, {periods[0]["id"]})
        self.assertEqual(periods[0]["pending_entries"], THREADS)

    def test_a_hold_is_settled_once(self):
        hh = self.households_with(1)[0]
        goods = self.new_goods(self.sec, price=10, stock=1, name="一次结算")
        rd = self.redeem(self.sec, hh, goods["id"]).json
        res = self.race(lambda i: self.makers[i].post(
            "/api/v1/points/redemptions/%d/%s" % (rd["id"], "pickup" if i % 2 else "cancel")))
        self.assertEqual(sorted(r.status for r in res), [200] + [409] * (THREADS - 1), res)
        won = next(r for r in res if r.status == 200).json["status"]
        p = self.hh_points(self.sec, hh)
        stock = self.goods_by_id(self.sec, "hutele", goods["id"])["stock"]
        if won == "picked_up":
            self.assertEqual(((p["balance"], p["pending"]), stock), ((0, 0), 0))
        else:
            self.assertEqual(won, "cancelled")
            self.assertEqual(((p["balance"], p["pending"]), stock), ((10, 0), 1))
        self.assert_check_passes()


if __name__ == "__main__":
    unittest.main()
