"""An order's whole life (群众点单—支部派单—银发接单), on either backend: a resident orders on
the phone page and follows the ticket, the branch secretary reads the ranked suggestions and
dispatches, the volunteer accepts, starts, reports progress and completes with the minutes
worked (credited to their service hours), the return visit closes the order, the resident
rates it once; every step is an event, the public view never shows the resident, and
`tala check` passes afterwards."""
import json
import re
import unittest

from test_requests_common import (HOUR_MS, RequestsCase, Resident, cst_date, distance_km,
                                  due_after_working_days, expected_score)

TICKET_RE = re.compile(r"^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$")
PUBLIC_KEYS = {"id", "ticket", "photos", "status", "category", "node", "urgency", "created_at", "due_at",
               "done_at", "rating", "overdue", "volunteer", "events"}

# The demo talent pool of 呼特勒嘎查 (src/demo.c), insurance renewed by RequestsCase.
DEMO = {
    "额尔敦": dict(spec=("agriculture", "daily"), lat=43.912, lon=118.795, max_active=3,
                 insurance="2099-12-31"),
    "其其格": dict(spec=("medicine",), lat=43.918, lon=118.801, max_active=2,
                 insurance="2099-12-31"),
    "王建国": dict(spec=("repair", "daily"), lat=43.905, lon=118.788, max_active=2,
                 insurance="2099-12-31"),
}


class OrderLifecycleTest(RequestsCase):
    RESIDENT_NAME = "乌日娜"
    RESIDENT_PHONE = "13947600123"

    def public_view(self, ticket, resident):
        r = resident.get("/api/v1/public/orders/%s" % ticket)
        self.assertEqual(r.status, 200, r)
        text = r.raw.decode("utf-8")
        unescaped = json.dumps(r.json, ensure_ascii=False)
        for secret in (self.RESIDENT_NAME, self.RESIDENT_PHONE, self.RESIDENT_PHONE[-4:],
                       "resident_name", "resident_phone", "13904761201"):
            self.assertNotIn(secret, text)
            self.assertNotIn(secret, unescaped)
        for e in r.json["events"]:
            self.assertEqual(set(e), {"ts", "kind"}, e)  # no details, no user names
        return r.json

    def test_full_lifecycle(self):
        resident = Resident(self.server)
        sec = self.as_user("secretary")
        vol = self.as_user("volunteer")
        ids = self.volunteer_ids()
        erdun = ids["额尔敦"]

        # 1. The resident orders on the phone page, at 额尔敦's doorstep.
        lat, lon = 43.912, 118.795
        before = self.now()
        r = resident.post("/api/v1/public/orders", json={
            "node": "hutele", "category": "agri", "text": "羊群咳嗽，想请人看看",
            "address": "呼特勒嘎查三组", "name": self.RESIDENT_NAME, "phone": self.RESIDENT_PHONE,
            "lat": lat, "lon": lon})
        self.assertEqual(r.status, 201, r)
        placed = r.json
        self.assertEqual(set(placed), PUBLIC_KEYS, placed)
        oid, ticket = placed["id"], placed["ticket"]
        self.assertRegex(ticket, TICKET_RE)
        self.assertEqual(placed["status"], "new")
        self.assertEqual(placed["urgency"], "normal")
        self.assertEqual(placed["category"], {"code": "agri", "name": "农牧技术"})
        self.assertEqual(placed["node"]["code"], "hutele")
        self.assertIsNone(placed["volunteer"])
        self.assertIsNone(placed["rating"])
        self.assertIs(placed["overdue"], False)
        self.assertGreaterEqual(placed["created_at"], before)
        self.assertLessEqual(placed["created_at"], self.now())
        # general tier: the end of the 7th working day after today, China time
        year = cst_date(placed["created_at"]).year
        cal = dict(self.calendar(year))
        cal.update(self.calendar(year + 1))
        self.assertEqual(placed["due_at"], due_after_working_days(placed["created_at"], 7, cal))
        self.assertNotIn(self.RESIDENT_NAME, r.raw.decode("utf-8"))
        self.assertNotIn(self.RESIDENT_PHONE, r.raw.decode("utf-8"))

        view = self.public_view(ticket, resident)
        self.assertEqual((view["status"], view["ticket"]), ("new", ticket))
        self.assertEqual([e["kind"] for e in view["events"]], ["placed"])

        # Staff see the resident in full; the order came from the phone page.
        o = self.order(oid, sec)
        self.assertEqual((o["source"], o["resident_name"], o["resident_phone"], o["filed_by"]),
                         ("phone", self.RESIDENT_NAME, self.RESIDENT_PHONE, None))
        self.assertEqual((o["level"], o["handler"]["code"], o["tier"]), ("village", "hutele",
                                                                         "general"))
        self.assertEqual((o["lat"], o["lon"]), (lat, lon))

        # 2. Suggestions: ranked, with reasons in Chinese and eligibility.
        r = sec.get("/api/v1/orders/%d/suggestions" % oid)
        self.assertEqual(r.status, 200, r)
        sug = r.json
        self.assertEqual((sug["order"], sug["level"]), (oid, "village"))
        items = {i["name"]: i for i in sug["items"]}
        self.assertEqual(set(items), set(DEMO))
        for name, d in DEMO.items():
            i = items[name]
            self.assertIs(i["eligible"], True, i)
            dist = distance_km(lat, lon, d["lat"], d["lon"])
            self.assertAlmostEqual(i["distance_km"], dist, places=9)
            match = "agriculture" in d["spec"]
            self.assertAlmostEqual(i["score"], expected_score(match, dist, 0, d["max_active"]),
                                   places=9, msg=i)
            self.assertEqual(i["reasons"], [
                "专长对口：农牧" if match else "专长不对口",
                "距离 %.1f 公里" % dist,
                "在办 0/%d 单" % d["max_active"],
                "暂无评分",
                "保险有效至 %s" % d["insurance"]], i)
        self.assertEqual(items["额尔敦"]["score"], 97.0)  # 40 + 30 + 15 + 12
        self.assertEqual(sug["items"][0]["id"], erdun)
        scores = [i["score"] for i in sug["items"]]
        self.assertEqual(scores, sorted(scores, reverse=True))

        # 3. Dispatch to the best; the volunteer has 2 hours to answer.
        d = self.dispatch(oid, erdun, sec)
        self.assertEqual(d["status"], "offered")
        offer = self.open_offer(d)
        self.assertEqual((offer["volunteer"]["id"], offer["rank"]), (erdun, 1))
        self.assertEqual(offer["respond_by"] - offer["offered_at"], 2 * HOUR_MS)
        self.assertEqual(offer["reasons"], items["额尔敦"]["reasons"])

        # 4. The volunteer sees the offer among their orders.
        mine = vol.get("/api/v1/me/orders")
        self.assertEqual(mine.status, 200, mine)
        self.assertEqual((mine.json["volunteer"]["id"], mine.json["volunteer"]["name"]),
                         (erdun, "额尔敦"))
        hours_before = mine.json["volunteer"]["minutes"]
        mine_items = {i["id"]: i for i in mine.json["items"]}
        self.assertIn(oid, mine_items)
        self.assertEqual(mine_items[oid]["status"], "offered")
        pool_before = self.volunteer(erdun)["minutes"]
        self.assertEqual(pool_before, hours_before)

        # 5. Accept, start, progress, complete.
        t_accept = self.now()
        a = self.verb(vol, oid, "accept")
        self.assertEqual(a["status"], "accepted")
        self.assertEqual(a["volunteer"], {"id": erdun, "name": "额尔敦"})
        self.assertGreaterEqual(a["accepted_at"], t_accept)
        self.assertEqual([f["status"] for f in a["offers"]], ["accepted"])
        self.assertEqual(self.public_view(ticket, resident)["volunteer"], {"name": "额尔敦"})
        self.assertEqual(self.verb(vol, oid, "start")["status"], "in_progress")
        p = self.verb(vol, oid, "progress", note="已到现场，正在查看羊群")
        self.assertEqual(p["status"], "in_progress")
        self.assertEqual(p["events"][-1]["kind"], "progress")
        self.assertEqual(p["events"][-1]["detail"], "已到现场，正在查看羊群")
        done = self.verb(vol, oid, "complete", minutes=95, note="已用药，三天后复查")
        self.assertEqual((done["status"], done["minutes"]), ("done", 95))
        self.assertIsNotNone(done["done_at"])
        self.assertIs(done["overdue"], False)

        # 6. Hours rise by exactly the minutes worked.
        mine = vol.get("/api/v1/me/orders").json
        self.assertEqual(mine["volunteer"]["minutes"], hours_before + 95)
        self.assertEqual(self.volunteer(erdun)["minutes"], pool_before + 95)

        # 7. The return visit closes it.
        v = self.visit(oid, True, True, sec, note="群众满意")
        self.assertEqual((v["status"], v["resolved"], v["satisfied"]), ("closed", True, True))
        self.assertIsNotNone(v["closed_at"])

        # 8. The resident rates it by ticket, once.
        r = resident.post("/api/v1/public/orders/%s/rate" % ticket, json={"rating": 5})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["rating"], r.json["status"]), (5, "closed"))
        self.assert_problem(resident.post("/api/v1/public/orders/%s/rate" % ticket,
                                          json={"rating": 1}), 409, "request_order.bad_state")
        self.assertEqual(self.order(oid)["rating"], 5)
        erdun_now = self.volunteer(erdun)
        self.assertEqual((erdun_now["rating"], erdun_now["ratings"]), (5.0, 1))

        # 9. The public view: the state, no names or numbers of the resident.
        view = self.public_view(ticket, resident)
        self.assertEqual((view["status"], view["rating"], view["volunteer"]),
                         ("closed", 5, {"name": "额尔敦"}))
        self.assertEqual(view["done_at"], done["done_at"])

        # 10. Every step is an event, in order, with who did it.
        o = self.order(oid, sec)
        self.assertEqual(self.kinds(o), ["placed", "offered", "accepted", "started", "progress",
                                         "done", "visited", "rated"])
        ev = {e["kind"]: e for e in o["events"]}
        self.assertEqual(ev["offered"]["user"], "secretary")
        self.assertEqual(ev["offered"]["volunteer"], "额尔敦")
        for k in ("accepted", "started", "progress", "done"):
            self.assertEqual((ev[k]["user"], ev[k]["volunteer"]), ("volunteer", "额尔敦"), k)
        self.assertEqual(ev["visited"]["user"], "secretary")
        self.assertIsNone(ev["placed"]["user"])
        self.assertIn("95", ev["done"]["detail"])
        ts = [e["ts"] for e in o["events"]]
        self.assertEqual(ts, sorted(ts))
        self.assertEqual([e["kind"] for e in view["events"]], self.kinds(o))

        # 11. The books balance.
        self.assert_check_passes()

    def test_staff_and_grid_member_file_on_behalf(self):
        sec = self.as_user("secretary")
        o = self.place("errand", "代买降压药", client=sec, name="巴图", phone="13800001111")
        self.assertEqual((o["source"], o["filed_by"], o["status"]), ("staff", "secretary", "new"))
        self.assertEqual(self.kinds(o), ["placed"])
        # 额尔敦 is a grid member (网格员): his account files as "grid".
        g = self.place("repair", "水管冻裂", client=self.as_user("volunteer"))
        self.assertEqual((g["source"], g["filed_by"]), ("grid", "volunteer"))
        self.assertEqual(g["tier"], "utility")
        self.assertEqual(g["due_at"] - g["created_at"], 24 * HOUR_MS)
        # The resident cancels by ticket; cancelled orders are no longer open.
        r = self.cancel(o["ticket"])
        self.assertEqual((r.status, r.json["status"]), (200, "cancelled"), r)
        self.assertEqual(self.kinds(self.order(o["id"])), ["placed", "cancelled"])
        self.assert_problem(self.cancel(o["ticket"]), 409, "request_order.bad_state")
        self.assertEqual(self.cancel(g["ticket"]).status, 200)
        self.assert_check_passes()


    def test_unsatisfied_visit_reopens_for_the_same_volunteer(self):
        vol = self.as_user("volunteer")
        erdun = self.volunteer_ids()["额尔敦"]
        before = vol.get("/api/v1/me/orders").json["volunteer"]["minutes"]
        o = self.place("errand", "帮忙办理养老保险认证")
        self.dispatch(o["id"], erdun)
        self.work(vol, o["id"], 40)
        v = self.visit(o["id"], False, False, note="还没办成")
        self.assertEqual((v["status"], v["redo_count"], v["resolved"], v["satisfied"]),
                         ("accepted", 1, False, False))
        self.assertEqual(v["volunteer"], {"id": erdun, "name": "额尔敦"})
        self.assertEqual(self.kinds(v)[-2:], ["visited", "reopened"])
        mine = {i["id"]: i for i in vol.get("/api/v1/me/orders").json["items"]}
        self.assertEqual(mine[o["id"]]["status"], "accepted")
        # Done again: the minutes add up, on the order and in his hours.
        d = self.work(vol, o["id"], 25, accept=False)
        self.assertEqual((d["status"], d["minutes"]), ("done", 65))
        self.assertEqual(vol.get("/api/v1/me/orders").json["volunteer"]["minutes"], before + 65)
        v = self.visit(o["id"], True, True)
        self.assertEqual((v["status"], v["redo_count"]), ("closed", 1))
        self.assertEqual(self.kinds(v), ["placed", "offered", "accepted", "started", "done",
                                         "visited", "reopened", "started", "done", "visited"])
        # A closed order is not visited again, nor cancelled.
        self.assert_problem(self.as_user("secretary").post(
            "/api/v1/orders/%d/visit" % o["id"], json={"resolved": True, "satisfied": True}), 409,
            "request_order.bad_state")
        self.assert_problem(self.cancel(o["ticket"]), 409, "request_order.bad_state")
        self.assert_check_passes()

    def test_cancel_withdraws_the_open_offer(self):
        vol = self.as_user("volunteer")
        erdun = self.volunteer_ids()["额尔敦"]
        p = self.place_public("agri", text="想咨询青贮")
        self.dispatch(p["id"], erdun)
        self.assertIn(p["id"], [i["id"] for i in vol.get("/api/v1/me/orders").json["items"]])
        r = self.cancel(p["ticket"])
        self.assertEqual((r.status, r.json["status"]), (200, "cancelled"), r)
        o = self.order(p["id"])
        self.assertEqual([f["status"] for f in o["offers"]], ["withdrawn"])
        self.assertNotIn(p["id"], [i["id"] for i in vol.get("/api/v1/me/orders").json["items"]])
        self.assert_problem(vol.post("/api/v1/orders/%d/accept" % p["id"]), 409,
                            "request_order.bad_state")
        self.assert_problem(Resident(self.server).post(
            "/api/v1/public/orders/%s/rate" % p["ticket"], json={"rating": 3}), 409,
            "request_order.bad_state")


if __name__ == "__main__":
    unittest.main()
