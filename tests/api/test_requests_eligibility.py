"""Who may take an order: insurance expired or missing, at the active-order limit, not
available, or an urgent order at night (22:00–06:00 China time) for someone who does no night
work → ineligible, with the reason shown to the secretary; dispatching to such a volunteer
answers 409 volunteer.not_eligible, and Tala's own pick passes them over."""
import datetime
import unittest

from test_requests_common import RequestsCase, cst_date, cst_minute_of_day


class EligibilityTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.ids = cls.volunteer_ids()

    def suggestions(self, oid, client=None):
        r = (client or self.as_user("secretary")).get("/api/v1/orders/%d/suggestions" % oid)
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def cand(self, oid, vid):
        return next(i for i in self.suggestions(oid) if i["id"] == vid)

    def assert_eligible_first(self, items):
        flags = [i["eligible"] for i in items]
        self.assertEqual(flags, sorted(flags, reverse=True), items)

    def test_insurance_expired_or_missing(self):
        self.goto_cst(10)
        today = cst_date(self.now())
        yesterday = today - datetime.timedelta(days=1)
        lapsed = self.new_volunteer("保险过期", "law", insurance_until=yesterday.isoformat())
        missing = self.new_volunteer("未登记保险", "law", insurance_until=None)
        last_day = self.new_volunteer("保险今天到期", "law", insurance_until=today.isoformat())
        o = self.place("legal", "承包合同纠纷咨询")
        self.addCleanup(self.cancel, o["ticket"])
        items = self.suggestions(o["id"])
        self.assert_eligible_first(items)
        by_id = {i["id"]: i for i in items}
        for v in (lapsed, missing):
            c = by_id[v["id"]]
            self.assertIs(c["eligible"], False, c)
            self.assertEqual(c["reasons"][0], "意外保险已过期或未登记", c)
            self.assertNotIn("保险有效至", "".join(c["reasons"]))
        c = by_id[last_day["id"]]
        self.assertIs(c["eligible"], True, c)  # valid through its last day
        self.assertIn("保险有效至 %s" % today.isoformat(), c["reasons"])
        # The specialty still scores for the ineligible: same score as the eligible twin.
        self.assertEqual(by_id[lapsed["id"]]["score"], c["score"])
        r = self.as_user("secretary").post("/api/v1/orders/%d/dispatch" % o["id"],
                                           json={"volunteer": lapsed["id"]})
        self.assert_problem(r, 409, "volunteer.not_eligible", "volunteer")
        self.assertEqual(self.order(o["id"])["status"], "new")
        # Tala's own pick is the eligible law volunteer, not the better-ranked-by-id lapsed one.
        d = self.dispatch(o["id"])
        self.assertEqual(self.open_offer(d)["volunteer"]["id"], last_day["id"])
        # Renewed insurance makes the volunteer eligible again.
        r = self.as_user("secretary").patch("/api/v1/volunteers/%d" % lapsed["id"],
                                            json={"insurance_until": "2030-12-31"})
        self.assertEqual(r.status, 200, r)
        o2 = self.place("legal", "遗产继承咨询")
        self.addCleanup(self.cancel, o2["ticket"])
        self.assertIs(self.cand(o2["id"], lapsed["id"])["eligible"], True)
        for v in (lapsed, missing, last_day):
            self.as_user("secretary").patch("/api/v1/volunteers/%d" % v["id"],
                                            json={"available": False})

    def test_active_order_limit(self):
        self.goto_cst(10)
        c, v = self.volunteer_account("elig-max1", "满额志愿者", "education", max_active=1)
        self.addCleanup(self.set_available, v["id"], False)
        o1 = self.place("errand", "辅导孩子功课")
        o2 = self.place("errand", "代办低保年审")
        for o in (o1, o2):
            self.addCleanup(self.cancel, o["ticket"])
        self.assertIs(self.cand(o2["id"], v["id"])["eligible"], True)
        # An open offer counts against the limit.
        self.dispatch(o1["id"], v["id"])
        cand = self.cand(o2["id"], v["id"])
        self.assertIs(cand["eligible"], False, cand)
        self.assertEqual(cand["reasons"][0], "在办 1 单，已达上限 1")
        r = self.as_user("secretary").post("/api/v1/orders/%d/dispatch" % o2["id"],
                                           json={"volunteer": v["id"]})
        self.assert_problem(r, 409, "volunteer.not_eligible", "volunteer")
        # So does an accepted one.
        self.verb(c, o1["id"], "accept")
        self.assertEqual(self.cand(o2["id"], v["id"])["reasons"][0], "在办 1 单，已达上限 1")
        # Done: capacity is back.
        self.work(c, o1["id"], 30, accept=False)
        cand = self.cand(o2["id"], v["id"])
        self.assertIs(cand["eligible"], True, cand)
        self.assertIn("在办 0/1 单", cand["reasons"])
        self.assertEqual(self.dispatch(o2["id"], v["id"])["status"], "offered")

    def test_not_available(self):
        self.goto_cst(10)
        v = self.new_volunteer("外出务工", "repair", available=False)
        o = self.place("repair", "电表跳闸")
        self.addCleanup(self.cancel, o["ticket"])
        cand = self.cand(o["id"], v["id"])
        self.assertIs(cand["eligible"], False)
        self.assertEqual(cand["reasons"][0], "暂不可接单")
        self.assert_problem(self.as_user("secretary").post(
            "/api/v1/orders/%d/dispatch" % o["id"], json={"volunteer": v["id"]}), 409,
            "volunteer.not_eligible", "volunteer")

    def test_zz_no_night_work_for_urgent_orders_at_night(self):
        qiqige = self.ids["其其格"]
        sec = self.as_user("secretary")
        now = self.goto_cst(23)
        self.assertEqual(cst_minute_of_day(now), 23 * 60)
        urgent = self.place("health", "老人夜里胸闷", urgency="urgent")
        normal = self.place("health", "明天量血压")
        for o in (urgent, normal):
            self.addCleanup(self.cancel, o["ticket"])
        cand = self.cand(urgent["id"], qiqige)
        self.assertIs(cand["eligible"], False, cand)
        self.assertEqual(cand["reasons"][0], "不接夜间服务")
        self.assertIn("专长对口：医疗", cand["reasons"])
        self.assert_problem(sec.post("/api/v1/orders/%d/dispatch" % urgent["id"],
                                     json={"volunteer": qiqige}), 409,
                            "volunteer.not_eligible", "volunteer")
        # A normal order at the same hour is hers to take.
        cand = self.cand(normal["id"], qiqige)
        self.assertIs(cand["eligible"], True, cand)
        self.assertEqual(cand["reasons"][0], "专长对口：医疗")
        # Tala's pick for the urgent one skips her although she is the only 医疗 specialist.
        d = self.dispatch(urgent["id"])
        self.assertNotEqual(self.open_offer(d)["volunteer"]["id"], qiqige)
        # At 06:00 the night is over.
        self.goto_cst(6)
        late = self.place("health", "清晨发烧", urgency="urgent")
        self.addCleanup(self.cancel, late["ticket"])
        self.assertIs(self.cand(late["id"], qiqige)["eligible"], True)


if __name__ == "__main__":
    unittest.main()
