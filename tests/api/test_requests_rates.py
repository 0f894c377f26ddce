"""The hotline rates (docs/requests.md) on a fixed fixture whose every outcome is known, so
each rate is an exact fraction:

  volunteers A = 额尔敦 (account `volunteer`), B = 宝音 (a new account); the other hutele
  volunteers are made unavailable so every fallback is foreseeable. T0 = 10:00 China time.

  O1 农牧 (agri)    A accepts at T0, done 60 min on time, visit resolved+satisfied → closed
  O3 生活帮办 (errand) A declines, B gets it and accepts at T0, done on time,
                     visit not resolved but satisfied → closed
  O4 农牧 (agri)    A accepts at T0, done on time, visit unresolved+unsatisfied → 重办,
                     marked unreasonable by the township, A does it again → done
  O2 健康 (health)  placed T0, dispatched 25 h later to B (not a response within 24 h), done
                     on time, visit resolved but unsatisfied → 重办, B does it again → done
  O5 健康 urgent    placed T1 = T0+25 h, B accepts at once, done 2 h 1 min later → late
  O6 生活帮办 urgent placed T1, dispatched 2 h 1 min later, A accepts: not within 2 h
  O8 法律 (legal)   placed T0, never dispatched
  O7 矛盾调解        placed by a resident and cancelled: in no rate at all

Per volunteer, a volunteer's decline rate counts the offers that volunteer answered (A: 3
accepted + 1 declined), not the offers of the orders that ended up with them.
"""
import re
import unittest

from test_requests_common import HOUR_MS, MIN_MS, RequestsCase, cst_date, xlsx_members

RATE_KEYS = ("response", "on_time", "resolution", "satisfaction", "decline", "redo")
COUNT_KEYS = ("responded", "done", "on_time", "visited", "resolved", "satisfaction_base",
              "satisfied", "offers", "declined", "redone")


def expect(orders, responded, done, on_time, visited, resolved, base, satisfied, offers,
           declined, redone):
    def ratio(n, d):
        return n / d if d else None
    return {
        "orders": orders,
        "rates": {"response": ratio(responded, orders), "on_time": ratio(on_time, done),
                  "resolution": ratio(resolved, visited), "satisfaction": ratio(satisfied, base),
                  "decline": ratio(declined, offers), "redo": ratio(redone, done)},
        "counts": {"responded": responded, "done": done, "on_time": on_time,
                   "visited": visited, "resolved": resolved, "satisfaction_base": base,
                   "satisfied": satisfied, "offers": offers, "declined": declined,
                   "redone": redone}}


#                  orders resp done ontime visited resolved base sat offers declined redone
TOTAL = expect(7, 4, 5, 4, 4, 2, 3, 2, 7, 1, 2)
BY_VOLUNTEER = {
    "额尔敦": expect(3, 2, 2, 2, 2, 1, 1, 1, 4, 1, 1),
    "宝音": expect(3, 2, 3, 2, 2, 1, 2, 1, 3, 0, 1),
    "（未派单）": expect(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}
BY_CATEGORY = {
    "农牧技术": expect(2, 2, 2, 2, 2, 1, 1, 1, 2, 0, 1),
    "健康义诊": expect(2, 1, 2, 1, 1, 1, 1, 0, 2, 0, 1),
    "生活帮办": expect(2, 1, 1, 1, 1, 0, 1, 1, 3, 1, 0),
    "法律咨询": expect(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}
SINCE_T1 = expect(2, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0)      # O5, O6
BEFORE_T1 = expect(5, 3, 4, 4, 4, 2, 3, 2, 5, 1, 2)     # O1, O2, O3, O4, O8


class RatesTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        sec, town = cls.as_user("secretary"), cls.as_user("town")
        a = cls.as_user("volunteer")
        ids = cls.volunteer_ids()
        cls.A = ids["额尔敦"]
        b, bv = cls.volunteer_account("rates-b", "宝音", "medicine,daily")
        cls.B = bv["id"]
        for name in ("其其格", "王建国"):
            cls.set_available(ids[name], False, sec)
        o = {}
        cls.T0 = cls.now()
        o[1] = cls.place("agri", "O1 羊只驱虫")
        o[3] = cls.place("errand", "O3 代买化肥")
        o[4] = cls.place("agri", "O4 要求免费换种羊")
        o[2] = cls.place("health", "O2 量血压")
        o[8] = cls.place("legal", "O8 草场承包咨询")
        o[7] = cls.place_public("mediation", text="O7 邻里纠纷")
        cls.o = o

        cls.dispatch(o[1]["id"], cls.A)
        cls.work(a, o[1]["id"], 60)
        cls.visit(o[1]["id"], True, True)

        cls.dispatch(o[3]["id"], cls.A)
        d = cls.verb(a, o[3]["id"], "decline", reason="腰疼")
        assert cls.open_offer(d)["volunteer"]["id"] == cls.B, d
        cls.work(b, o[3]["id"], 90)
        cls.visit(o[3]["id"], False, True)

        cls.dispatch(o[4]["id"], cls.A)
        cls.work(a, o[4]["id"], 20)
        v = cls.visit(o[4]["id"], False, False)
        assert (v["status"], v["redo_count"]) == ("accepted", 1), v
        r = town.post("/api/v1/orders/%d/review" % o[4]["id"],
                      json={"unreasonable": True, "note": "诉求超出政策范围"})
        assert r.status == 200 and r.json["unreasonable"] is True, r
        cls.work(a, o[4]["id"], 5, accept=False)

        r = cls.cancel(o[7]["ticket"])
        assert r.status == 200, r

        # 25 hours on: O2 dispatched only now.
        cls.goto(cls.T0 + 25 * HOUR_MS)
        cls.dispatch(o[2]["id"], cls.B)
        cls.work(b, o[2]["id"], 30)
        v = cls.visit(o[2]["id"], True, False)
        assert v["status"] == "accepted", v
        cls.work(b, o[2]["id"], 15, accept=False)

        cls.T1 = cls.now()
        o[5] = cls.place("health", "O5 突发高烧", urgency="urgent")
        o[6] = cls.place("errand", "O6 老人走失", urgency="urgent")
        cls.dispatch(o[5]["id"], cls.B)
        cls.verb(b, o[5]["id"], "accept")
        cls.verb(b, o[5]["id"], "start")
        cls.goto(cls.T1 + 2 * HOUR_MS + MIN_MS)
        cls.verb(b, o[5]["id"], "complete", minutes=40)
        cls.dispatch(o[6]["id"], cls.A)
        cls.verb(a, o[6]["id"], "accept")

    # -- helpers --

    def rates(self, by, query="", client=None):
        r = (client or self.as_user("secretary")).get(
            "/api/v1/orders/rates?node=hutele&by=%s%s" % (by, query))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["by"], by)
        self.assertEqual(r.json["node"], {"code": "hutele", "name": "呼特勒嘎查"})
        return r.json

    def assert_group(self, got, want, label, keys=RATE_KEYS, counts=COUNT_KEYS):
        self.assertEqual(got["orders"], want["orders"], label)
        for k in keys:
            self.assertEqual(got[k], want["rates"][k], "%s: %s (%r)" % (label, k, got))
        for k in counts:
            self.assertEqual(got["counts"][k], want["counts"][k], "%s: counts.%s" % (label, k))

    # -- the fixture itself --

    def test_fixture_states(self):
        o = {k: self.order(v["id"]) for k, v in self.o.items()}
        self.assertEqual({k: v["status"] for k, v in o.items()},
                         {1: "closed", 2: "done", 3: "closed", 4: "done", 5: "done",
                          6: "accepted", 7: "cancelled", 8: "new"})
        self.assertEqual({k: v["redo_count"] for k, v in o.items() if v["redo_count"]},
                         {2: 1, 4: 1})
        self.assertEqual((o[4]["minutes"], o[2]["minutes"]), (25, 45))
        self.assertIs(o[4]["unreasonable"], True)
        self.assertIs(o[5]["overdue"], True)
        self.assertGreater(o[2]["accepted_at"] - o[2]["created_at"], 24 * HOUR_MS)
        self.assertGreater(o[6]["accepted_at"] - o[6]["created_at"], 2 * HOUR_MS)
        self.assertLess(o[6]["accepted_at"] - o[6]["created_at"], 24 * HOUR_MS)
        self.assertGreater(o[5]["done_at"], o[5]["due_at"])

    # -- the rates --

    def test_total(self):
        for by in ("volunteer", "category", "village", "town", "month"):
            self.assert_group(self.rates(by)["total"], TOTAL, "total by " + by)
        self.assertEqual(self.rates("volunteer")["total"]["group"], "合计")
        self.assertEqual(TOTAL["rates"], {"response": 4 / 7, "on_time": 4 / 5,
                                          "resolution": 2 / 4, "satisfaction": 2 / 3,
                                          "decline": 1 / 7, "redo": 2 / 5})

    def test_by_category(self):
        body = self.rates("category")
        groups = {g["group"]: g for g in body["items"]}
        self.assertEqual(set(groups), set(BY_CATEGORY))  # 矛盾调解: only a cancelled order
        for name, want in BY_CATEGORY.items():
            self.assert_group(groups[name], want, name)
        # Empty denominators are null, never 0.
        legal = groups["法律咨询"]
        self.assertEqual(legal["response"], 0.0)
        for k in ("on_time", "resolution", "satisfaction", "decline", "redo"):
            self.assertIsNone(legal[k], k)

    def test_by_volunteer(self):
        body = self.rates("volunteer")
        groups = {g["group"]: g for g in body["items"]}
        self.assertEqual(set(groups), set(BY_VOLUNTEER))
        for name, want in BY_VOLUNTEER.items():
            self.assert_group(groups[name], want, name,
                              keys=[k for k in RATE_KEYS if k != "decline"],
                              counts=[k for k in COUNT_KEYS if k not in ("offers", "declined")])
        self.assertIsNone(groups["（未派单）"]["decline"])

    def test_by_volunteer_decline_counts_the_volunteers_own_answers(self):
        groups = {g["group"]: g for g in self.rates("volunteer")["items"]}
        # 额尔敦 answered four offers (O1, O4, O6 accepted; O3 declined); 宝音 three, no decline.
        self.assertEqual((groups["额尔敦"]["counts"]["offers"], groups["额尔敦"]["counts"]["declined"],
                          groups["额尔敦"]["decline"]), (4, 1, 1 / 4))
        self.assertEqual((groups["宝音"]["counts"]["offers"], groups["宝音"]["counts"]["declined"],
                          groups["宝音"]["decline"]), (3, 0, 0.0))

    def test_by_village_town_month(self):
        v = self.rates("village")
        self.assertEqual([g["group"] for g in v["items"]], ["呼特勒嘎查"])
        self.assert_group(v["items"][0], TOTAL, "village")
        t = self.rates("town")
        self.assertEqual([g["group"] for g in t["items"]], ["查干沐沦苏木"])
        self.assert_group(t["items"][0], TOTAL, "town")
        m = self.rates("month")
        months = {}
        for k, o in self.o.items():
            if k != 7:
                d = cst_date(o["created_at"])
                months[d.strftime("%Y-%m")] = months.get(d.strftime("%Y-%m"), 0) + 1
        self.assertEqual({g["group"]: g["orders"] for g in m["items"]}, months)
        # The township sees the same figures for its village.
        r = self.as_user("town").get("/api/v1/orders/rates?node=chaganmulun&by=village")
        self.assertEqual(r.status, 200, r)
        self.assert_group({g["group"]: g for g in r.json["items"]}["呼特勒嘎查"], TOTAL, "town view")

    def test_period(self):
        self.assert_group(self.rates("category", "&from=%d" % self.T1)["total"], SINCE_T1,
                          "from T1")
        self.assert_group(self.rates("category", "&to=%d" % self.T1)["total"], BEFORE_T1,
                          "to T1")
        empty = self.rates("category", "&from=%d&to=%d" % (self.T0 - 2 * HOUR_MS,
                                                           self.T0 - HOUR_MS))
        self.assertEqual(empty["items"], [])
        self.assertEqual(empty["total"]["orders"], 0)
        for k in RATE_KEYS:
            self.assertIsNone(empty["total"][k], k)

    def test_xlsx(self):
        r = self.as_user("secretary").get("/api/v1/orders/rates.xlsx?node=hutele&by=volunteer")
        self.assertEqual(r.status, 200, r)
        self.assertIn("spreadsheetml", r.headers.get("Content-Type", ""))
        self.assertEqual(r.raw[:2], b"PK")
        members = xlsx_members(r.raw)
        self.assertIn("xl/worksheets/sheet1.xml", members)
        self.assertIn("[Content_Types].xml", members)
        sheet = members["xl/worksheets/sheet1.xml"].decode("utf-8")
        self.assertEqual(len(re.findall(r"<row ", sheet)), 1 + len(BY_VOLUNTEER) + 1)
        strings = members.get("xl/sharedStrings.xml", b"").decode("utf-8") + sheet
        for s in ("响应率", "按时办结率", "满意率", "额尔敦", "宝音", "合计"):
            self.assertIn(s, strings)
        r = self.as_user("secretary").get("/api/v1/orders/rates.xlsx?node=hutele&by=nope")
        self.assert_problem(r, 400, "request.bad_query", "by")

    def test_scope(self):
        r = self.as_user("secretary2").get("/api/v1/orders/rates?node=hutele&by=village")
        self.assert_problem(r, 403, "auth.forbidden")
        r = self.as_user("secretary2").get("/api/v1/orders/rates.xlsx?node=hutele")
        self.assert_problem(r, 403, "auth.forbidden")
        r = self.as_user("volunteer").get("/api/v1/orders/rates?node=hutele")
        self.assert_problem(r, 403, "auth.forbidden")
        # secretary2's own village has no orders: nothing, all null.
        r = self.as_user("secretary2").get("/api/v1/orders/rates?by=village")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["node"]["code"], r.json["items"], r.json["total"]["orders"]),
                         ("bayanhan", [], 0))


if __name__ == "__main__":
    unittest.main()
