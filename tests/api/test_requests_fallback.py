"""Fallback and escalation on the server's controllable clock: a decline offers the order to
the next eligible candidate; an offer not answered within its window (2 h, urgent 15 min) is
settled as expired when the area's orders are next listed and the next candidate gets it;
with every village candidate gone the order goes up to the township (其他嘎查 volunteers
become candidates), then the county; with nobody anywhere it is handed back (new, event
"returned"). Staff escalate explicitly too, never beyond the county."""
import unittest

from test_requests_common import HOUR_MS, MIN_MS, RequestsCase


class FallbackTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.ids = cls.volunteer_ids()
        cls.names = {v: k for k, v in cls.ids.items()}
        r = cls.as_user("county").get("/api/v1/volunteers?node=balinyouqi")
        cls.village_of = {v["name"]: v["node"]["code"] for v in r.json["items"]}

    def offer_trail(self, o):
        return [(f["volunteer"]["name"], f["status"]) for f in o["offers"]]

    def expire_current(self, oid, minutes_past=1):
        """Lets the open offer's window pass and lists the village's orders (which settles it)."""
        o = self.order(oid)
        offer = self.open_offer(o)
        self.assertIsNotNone(offer, o)
        self.goto(offer["respond_by"] + minutes_past * MIN_MS)
        self.list_orders("hutele")
        return self.order(oid)

    def test_a_decline_expiry_town_then_returned(self):
        self.goto_cst(10)
        sec, vol = self.as_user("secretary"), self.as_user("volunteer")
        o = self.place("agri", "母羊难产，急需技术指导以外的帮助")
        oid = o["id"]

        # Tala takes the best: 额尔敦 (专长对口).
        d = self.dispatch(oid, None, sec)
        self.assertEqual(self.offer_trail(d), [("额尔敦", "offered")])
        offer = self.open_offer(d)
        self.assertEqual(offer["respond_by"] - offer["offered_at"], 2 * HOUR_MS)

        # The next eligible candidate in the ranking, as the secretary sees it now.
        sug = sec.get("/api/v1/orders/%d/suggestions" % oid).json["items"]
        self.assertEqual(sug[0]["name"], "额尔敦")
        runner_up = next(i for i in sug[1:] if i["eligible"])["name"]
        self.assertIn(runner_up, ("其其格", "王建国"))

        # Decline → the runner-up gets the offer at once.
        r = vol.post("/api/v1/orders/%d/decline" % oid, json={"reason": "今天去旗里体检"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.offer_trail(r.json), [("额尔敦", "declined"), (runner_up, "offered")])
        self.assertEqual(r.json["status"], "offered")
        self.assertEqual(self.kinds(r.json), ["placed", "offered", "declined", "offered"])
        declined = next(e for e in r.json["events"] if e["kind"] == "declined")
        self.assertEqual((declined["detail"], declined["volunteer"]), ("今天去旗里体检", "额尔敦"))
        # Declined is final for him: no second answer, and the offer is not in his list.
        self.assert_problem(vol.post("/api/v1/orders/%d/accept" % oid), 409,
                            "request_order.bad_state")
        self.assertNotIn(oid, [i["id"] for i in vol.get("/api/v1/me/orders").json["items"]])

        # Not answered within 2 hours: one minute before, nothing moves; after, the next.
        offer = self.open_offer(self.order(oid))
        self.goto(offer["respond_by"] - MIN_MS)
        self.list_orders("hutele")
        self.assertEqual(self.offer_trail(self.order(oid))[-1], (runner_up, "offered"))
        o = self.expire_current(oid)
        third = ({"其其格", "王建国"} - {runner_up}).pop()
        self.assertEqual(self.offer_trail(o), [("额尔敦", "declined"), (runner_up, "expired"),
                                               (third, "offered")])
        self.assertEqual(self.kinds(o)[-2:], ["offer_expired", "offered"])
        self.assertEqual((o["level"], o["handler"]["code"]), ("village", "hutele"))

        # The last village candidate lets it pass too → up to the township, whose other
        # villages' volunteers are offered it: the best there for 农牧 is 巴特尔 (巴彦汉嘎查).
        o = self.expire_current(oid)
        self.assertEqual((o["level"], o["handler"]["code"], o["status"]),
                         ("town", "chaganmulun", "offered"))
        self.assertEqual(self.kinds(o)[-3:], ["offer_expired", "escalated", "offered"])
        town_offer = self.open_offer(o)
        self.assertEqual(town_offer["volunteer"]["name"], "巴特尔")
        self.assertNotEqual(self.village_of["巴特尔"], "hutele")

        # The township's view of the candidates: other villages, those who passed left out.
        r = self.as_user("town").get("/api/v1/orders/%d/suggestions" % oid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["level"], "town")
        cands = {i["name"]: i for i in r.json["items"]}
        self.assertEqual(set(cands), {"孟和", "李秀英", "巴特尔", "萨仁高娃", "图门"})
        self.assertIs(cands["萨仁高娃"]["eligible"], False)  # insurance ended 2026-06-30
        self.assertEqual(cands["萨仁高娃"]["reasons"][0], "意外保险已过期或未登记")
        for name in ("孟和", "李秀英", "巴特尔", "图门"):
            self.assertIs(cands[name]["eligible"], True, cands[name])

        # Everyone in the township lets it pass: 图门 (农牧 too), then 孟和, 李秀英 (equal
        # scores, in talent-pool order); then the county has nobody else → handed back.
        trail = ["巴特尔"]
        for _ in range(4):
            o = self.expire_current(oid)
            if o["status"] == "offered":
                trail.append(self.open_offer(o)["volunteer"]["name"])
        self.assertEqual(trail, ["巴特尔", "图门", "孟和", "李秀英"])
        self.assertEqual(o["status"], "new")
        self.assertEqual((o["level"], o["handler"]["code"]), ("county", "balinyouqi"))
        self.assertIsNone(o["volunteer"])
        self.assertIsNone(self.open_offer(o))
        self.assertEqual(self.kinds(o)[-3:], ["offer_expired", "escalated", "returned"])
        self.assertEqual(self.kinds(o).count("escalated"), 2)
        self.assertEqual(self.kinds(o).count("offer_expired"), 6)
        self.assertEqual(self.offer_trail(o), [
            ("额尔敦", "declined"), (runner_up, "expired"), (third, "expired"),
            ("巴特尔", "expired"), ("图门", "expired"), ("孟和", "expired"), ("李秀英", "expired")])
        # Listing again changes nothing more.
        self.list_orders("hutele")
        self.assertEqual(self.kinds(self.order(oid)), self.kinds(o))

    def test_b_urgent_window_is_15_minutes(self):
        self.goto_cst(10)
        vol = self.as_user("volunteer")
        o = self.place("agri", "牛误食塑料，急", urgency="urgent")
        self.addCleanup(self.cancel, o["ticket"])
        self.assertEqual((o["tier"], o["due_at"] - o["created_at"]), ("urgent", 2 * HOUR_MS))
        d = self.dispatch(o["id"])
        offer = self.open_offer(d)
        self.assertEqual(offer["volunteer"]["name"], "额尔敦")
        self.assertEqual(offer["respond_by"] - offer["offered_at"], 15 * MIN_MS)

        self.goto(offer["respond_by"] - MIN_MS)
        self.list_orders("hutele")
        self.assertEqual(self.open_offer(self.order(o["id"]))["volunteer"]["name"], "额尔敦")
        self.goto(offer["respond_by"] + MIN_MS)
        # Too late to accept: the offer moved on.
        self.assert_problem(vol.post("/api/v1/orders/%d/accept" % o["id"]), 409,
                            "request_order.bad_state")
        self.list_orders("hutele")
        o2 = self.order(o["id"])
        self.assertEqual([f["status"] for f in o2["offers"]], ["expired", "offered"])
        nxt = self.open_offer(o2)
        self.assertIn(nxt["volunteer"]["name"], ("其其格", "王建国"))
        self.assertEqual(nxt["respond_by"] - nxt["offered_at"], 15 * MIN_MS)
        self.assertEqual(o2["level"], "village")

    def test_c_the_volunteers_own_list_settles_too(self):
        # /me/orders reads orders as well: a missed offer is settled there.
        self.goto_cst(10)
        vol = self.as_user("volunteer")
        o = self.place("agri", "草场虫害")
        self.addCleanup(self.cancel, o["ticket"])
        offer = self.open_offer(self.dispatch(o["id"]))
        self.assertEqual(offer["volunteer"]["name"], "额尔敦")
        self.goto(offer["respond_by"] + MIN_MS)
        mine = vol.get("/api/v1/me/orders")
        self.assertEqual(mine.status, 200, mine)
        self.assertNotIn(o["id"], [i["id"] for i in mine.json["items"]])
        self.assertEqual([f["status"] for f in self.order(o["id"])["offers"]],
                         ["expired", "offered"])

    def test_d_explicit_escalation_up_to_the_county(self):
        self.goto_cst(10)
        sec, town, county = (self.as_user(u) for u in ("secretary", "town", "county"))
        o = self.place("mediation", "两户草场边界纠纷，村里调解不成")
        self.addCleanup(self.cancel, o["ticket"])
        oid = o["id"]
        r = sec.post("/api/v1/orders/%d/escalate" % oid, json={"reason": "涉及两个嘎查"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["level"], r.json["handler"]["code"], r.json["status"]),
                         ("town", "chaganmulun", "new"))
        self.assertEqual(self.kinds(r.json), ["placed", "escalated"])
        self.assertIn("涉及两个嘎查", r.json["events"][-1]["detail"])

        # Offered at the township, then escalated again: the open offer is withdrawn.
        d = self.dispatch(oid, None, town)
        self.assertEqual(d["status"], "offered")
        self.assertNotEqual(self.village_of[self.open_offer(d)["volunteer"]["name"]], "hutele")
        r = town.post("/api/v1/orders/%d/escalate" % oid, json={"reason": "苏木协调不了"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["level"], r.json["handler"]["code"], r.json["status"]),
                         ("county", "balinyouqi", "new"))
        self.assertEqual([f["status"] for f in r.json["offers"]], ["withdrawn"])
        self.assertIsNone(r.json["volunteer"])

        # Beyond the county: 409, nothing changes.
        self.assert_problem(county.post("/api/v1/orders/%d/escalate" % oid,
                                        json={"reason": "再上报"}), 409,
                            "request_order.bad_state")
        self.assert_problem(sec.post("/api/v1/orders/%d/escalate" % oid, json={}), 409,
                            "request_order.bad_state")
        after = self.order(oid)
        self.assertEqual((after["level"], self.kinds(after).count("escalated")), ("county", 2))

    def test_e_no_escalation_once_accepted(self):
        self.goto_cst(10)
        vol = self.as_user("volunteer")
        o = self.place("agri", "玉米种子选购咨询")
        self.addCleanup(self.cancel, o["ticket"])
        self.dispatch(o["id"], self.ids["额尔敦"])
        self.verb(vol, o["id"], "accept")
        self.assert_problem(self.as_user("secretary").post(
            "/api/v1/orders/%d/escalate" % o["id"], json={"reason": "x"}), 409,
            "request_order.bad_state")


if __name__ == "__main__":
    unittest.main()
