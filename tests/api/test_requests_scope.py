"""Who sees and does what with an order: staff within their area (an escalated order also
for the township or county handling it), volunteers only with the orders offered to them or in
their hands, return visits by staff or grid members (网格员), reviews by township or county
staff."""
import unittest

from test_requests_common import RequestsCase


class ScopeTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.ids = cls.volunteer_ids()
        # A volunteer of 呼特勒嘎查 who is not a grid member, with an account.
        cls.plain, cls.plain_v = cls.volunteer_account("scope-plain", "普通志愿者", "law",
                                                       grid_member=False)
        # A township officer of another township (大板镇).
        cls.daban = cls.add_user("scope-daban", "township_staff", "daban")
        cls.hutele_order = cls.place("agri", "呼特勒：羊圈漏雨")
        cls.bayanhan_order = cls.place_public("agri", node="bayanhan", text="巴彦汉：牛犊腹泻")

    def test_other_village_secretary_is_refused(self):
        s2 = self.as_user("secretary2")
        oid = self.hutele_order["id"]
        for path in ("/api/v1/orders/%d" % oid, "/api/v1/orders/%d/suggestions" % oid):
            self.assert_problem(s2.get(path), 403, "auth.forbidden")
        for verb, body in (("dispatch", {}), ("escalate", {"reason": "x"}),
                           ("visit", {"resolved": True, "satisfied": True})):
            self.assert_problem(s2.post("/api/v1/orders/%d/%s" % (oid, verb), json=body), 403,
                                "auth.forbidden")
        self.assert_problem(s2.get("/api/v1/orders?node=hutele"), 403, "auth.forbidden")
        self.assert_problem(s2.get("/api/v1/orders?node=chaganmulun"), 403, "auth.forbidden")
        self.assertEqual(self.order(oid)["status"], "new")
        # Other townships' staff neither.
        self.assert_problem(self.daban.get("/api/v1/orders/%d" % oid), 403, "auth.forbidden")
        self.assert_problem(self.daban.get("/api/v1/orders/%d/suggestions" % oid), 403,
                            "auth.forbidden")

    def test_lists_hold_only_the_own_area(self):
        s2 = self.as_user("secretary2")
        for path in ("/api/v1/orders", "/api/v1/orders?node=bayanhan"):
            r = s2.get(path)
            self.assertEqual(r.status, 200, r)
            ids = [i["id"] for i in r.json["items"]]
            self.assertIn(self.bayanhan_order["id"], ids)
            self.assertNotIn(self.hutele_order["id"], ids)
            self.assertEqual({i["node"]["code"] for i in r.json["items"]}, {"bayanhan"})
        sec = self.as_user("secretary")
        ids = [i["id"] for i in sec.get("/api/v1/orders").json["items"]]
        self.assertIn(self.hutele_order["id"], ids)
        self.assertNotIn(self.bayanhan_order["id"], ids)
        self.assert_problem(sec.get("/api/v1/orders?node=bayanhan"), 403, "auth.forbidden")
        # The township and the county see both.
        for who, node in (("town", "chaganmulun"), ("county", "balinyouqi")):
            ids = [i["id"] for i in self.list_orders(node, self.as_user(who))]
            self.assertIn(self.hutele_order["id"], ids)
            self.assertIn(self.bayanhan_order["id"], ids)
        # secretary2 sees the bayanhan order in full.
        r = s2.get("/api/v1/orders/%d" % self.bayanhan_order["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["source"], "phone")
        r = s2.get("/api/v1/orders/%d/suggestions" % self.bayanhan_order["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual({i["name"] for i in r.json["items"]}, {"巴特尔", "萨仁高娃"})

    def test_volunteers_cannot_dispatch_or_read_others(self):
        vol = self.as_user("volunteer")
        o = self.place("agri", "牧草种植咨询")
        self.addCleanup(self.cancel, o["ticket"])
        oid = o["id"]
        self.assert_problem(vol.post("/api/v1/orders/%d/dispatch" % oid,
                                     json={"volunteer": self.ids["额尔敦"]}), 403,
                            "auth.forbidden")
        self.assert_problem(vol.get("/api/v1/orders/%d/suggestions" % oid), 403,
                            "auth.forbidden")
        self.assert_problem(vol.post("/api/v1/orders/%d/escalate" % oid, json={}), 403,
                            "auth.forbidden")
        self.assert_problem(vol.get("/api/v1/orders/%d" % oid), 403, "auth.forbidden")
        self.assert_problem(vol.get("/api/v1/orders?node=hutele"), 403, "auth.forbidden")
        self.assertEqual(self.order(oid)["status"], "new")
        # Offered to him: now he may read it; once it is someone else's, not any more.
        self.dispatch(oid, self.ids["额尔敦"])
        self.assertEqual(vol.get("/api/v1/orders/%d" % oid).status, 200)
        self.assert_problem(self.plain.get("/api/v1/orders/%d" % oid), 403, "auth.forbidden")
        self.assert_problem(self.plain.post("/api/v1/orders/%d/accept" % oid), 409,
                            "request_order.bad_state")
        self.verb(vol, oid, "decline", reason="忙")
        self.assert_problem(vol.get("/api/v1/orders/%d" % oid), 403, "auth.forbidden")

    def test_volunteers_cannot_work_or_visit_someone_elses_order(self):
        vol = self.as_user("volunteer")
        mine = self.place("legal", "宅基地确权咨询")      # the plain volunteer's
        theirs = self.place("agri", "青贮饲料制作指导")   # 额尔敦's
        self.dispatch(mine["id"], self.plain_v["id"])
        self.verb(self.plain, mine["id"], "accept")
        for verb, body in (("start", {}), ("progress", {"note": "x"}),
                           ("complete", {"minutes": 30})):
            self.assert_problem(vol.post("/api/v1/orders/%d/%s" % (mine["id"], verb), json=body),
                                403, "auth.forbidden")
        self.work(self.plain, mine["id"], 45, accept=False)
        self.dispatch(theirs["id"], self.ids["额尔敦"])
        self.work(vol, theirs["id"], 30)
        # Only the one who did the work got the hours.
        self.assertEqual(self.volunteer(self.plain_v["id"])["minutes"], 45)
        # The return visit (回访) is for staff or grid members: not for a volunteer who is no
        # grid member — neither on someone else's order nor on their own; nor for the other
        # village's secretary.
        ok = {"resolved": True, "satisfied": True}
        self.assert_problem(self.plain.post("/api/v1/orders/%d/visit" % theirs["id"], json=ok),
                            403, "auth.forbidden")
        self.assert_problem(self.plain.post("/api/v1/orders/%d/visit" % mine["id"], json=ok),
                            403, "auth.forbidden")
        self.assert_problem(self.as_user("secretary2").post(
            "/api/v1/orders/%d/visit" % mine["id"], json=ok), 403, "auth.forbidden")
        self.assertEqual(self.order(mine["id"])["status"], "done")
        self.assertEqual(self.order(theirs["id"])["status"], "done")
        for o in (mine, theirs):
            self.assertEqual(self.visit(o["id"], True, True)["status"], "closed")

    def test_only_grid_members_file_orders(self):
        # docs/requests.md: a volunteer account that is a grid member files as `grid`.
        r = self.plain.post("/api/v1/orders", json={"node": "hutele", "category": "legal",
                                                     "text": "帮邻居报的单"})
        self.assert_problem(r, 403, "auth.forbidden")
        # Not in another village either, grid member or not.
        r = self.as_user("volunteer").post("/api/v1/orders", json={
            "node": "bayanhan", "category": "agri", "text": "替巴彦汉报的单"})
        self.assert_problem(r, 403, "auth.forbidden")

    def test_volunteer_endpoints_need_a_profile(self):
        for who in ("secretary", "town"):
            r = self.as_user(who).get("/api/v1/me/orders")
            self.assert_problem(r, 403, "volunteer.no_profile")
        self.assert_problem(self.new_client().get("/api/v1/me/orders"), 401, "auth.required")
        self.assert_problem(self.new_client().get("/api/v1/orders?node=hutele"), 401,
                            "auth.required")

    def test_review_is_for_township_and_county(self):
        o = self.place("mediation", "要求村里赔偿走失的牛")
        self.addCleanup(self.cancel, o["ticket"])
        body = {"unreasonable": True, "note": "不属于服务范围"}
        for who in ("secretary", "volunteer", "secretary2"):
            self.assert_problem(self.as_user(who).post("/api/v1/orders/%d/review" % o["id"],
                                                       json=body), 403, "auth.forbidden")
        self.assert_problem(self.daban.post("/api/v1/orders/%d/review" % o["id"], json=body),
                            403, "auth.forbidden")
        for who, flag in (("town", True), ("county", False)):
            r = self.as_user(who).post("/api/v1/orders/%d/review" % o["id"],
                                       json={"unreasonable": flag, "note": "复核"})
            self.assertEqual((r.status, r.json["unreasonable"]), (200, flag), r)
        self.assertEqual(self.kinds(self.order(o["id"])).count("reviewed"), 2)

    def test_township_sees_and_handles_an_escalated_order(self):
        sec, town = self.as_user("secretary"), self.as_user("town")
        o = self.place("legal", "土地流转合同审查")
        self.addCleanup(self.cancel, o["ticket"])
        r = sec.post("/api/v1/orders/%d/escalate" % o["id"], json={"reason": "需要苏木司法所"})
        self.assertEqual(r.status, 200, r)
        r = town.get("/api/v1/orders/%d" % o["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["level"], r.json["handler"]), (
            "town", {"code": "chaganmulun", "name": "查干沐沦苏木"}))
        listed = {i["id"]: i for i in self.list_orders("chaganmulun", town)}
        self.assertEqual(listed[o["id"]]["level"], "town")
        self.assertIn(o["id"], [i["id"] for i in
                                self.list_orders("chaganmulun", town, "&status=new")])
        self.assertNotIn(o["id"], [i["id"] for i in
                                   self.list_orders("chaganmulun", town, "&status=offered")])
        sug = town.get("/api/v1/orders/%d/suggestions" % o["id"])
        self.assertEqual((sug.status, sug.json["level"]), (200, "town"), sug)
        # The town's candidates: the whole township; the best for 法律 is 孟和 of 查干沐沦嘎查.
        self.assertEqual(sug.json["items"][0]["name"], "孟和")
        d = self.dispatch(o["id"], None, town)
        self.assertEqual(self.open_offer(d)["volunteer"]["name"], "孟和")
        # The other village's secretary still does not see it; another township neither.
        self.assert_problem(self.as_user("secretary2").get("/api/v1/orders/%d" % o["id"]), 403,
                            "auth.forbidden")
        self.assert_problem(self.daban.get("/api/v1/orders/%d" % o["id"]), 403, "auth.forbidden")


    def test_an_order_on_a_group_is_dispatched_among_the_villages_volunteers(self):
        # Orders may be placed on a village or one of its groups (组); the branch of the
        # village dispatches either way, among the village's talent pool.
        o = self.place("agri", "一组：羊圈消毒", node="hutele-1",
                       client=self.as_user("secretary"))
        self.addCleanup(self.cancel, o["ticket"])
        self.assertEqual((o["node"]["code"], o["level"]), ("hutele-1", "village"))
        r = self.as_user("secretary").get("/api/v1/orders/%d/suggestions" % o["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["level"], "village")
        self.assertLessEqual({"额尔敦", "其其格", "王建国"}, {i["name"] for i in r.json["items"]})
        d = self.dispatch(o["id"])
        self.assertEqual(d["level"], "village")
        self.assertEqual(self.open_offer(d)["volunteer"]["name"], "额尔敦")


if __name__ == "__main__":
    unittest.main()
