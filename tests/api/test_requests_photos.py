"""Photos on orders, and volunteers' service hours of the week in the ranking."""

import base64

from harness import ServerTestCase

# a 1×1 PNG
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60 + b"\xff\xd9"


class OrderPhotosTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        c = cls.as_user("secretary")
        r = c.post("/api/v1/orders", json={"node": "hutele", "category": "repair",
                                            "text": "自来水管冻裂，院里漏水"})
        assert r.status == 201, r
        cls.order = r.json

    def test_resident_adds_a_photo_by_ticket_and_sees_it(self):
        anon = self.new_client()
        path = "/api/v1/public/orders/%s/photos" % self.order["ticket"]
        r = anon.post(path, raw_body=PNG, headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["content_type"], "image/png")
        self.assertEqual(r.json["stage"], "order")
        got = anon.get(path + "/%d" % r.json["id"])
        self.assertEqual(got.status, 200)
        self.assertEqual(got.headers.get("Content-Type"), "image/png")
        self.assertEqual(got.raw, PNG)
        view = anon.get("/api/v1/public/orders/%s" % self.order["ticket"]).json
        self.assertEqual([p["id"] for p in view["photos"]], [r.json["id"]])

    def test_not_an_image_is_refused(self):
        anon = self.new_client()
        r = anon.post("/api/v1/public/orders/%s/photos" % self.order["ticket"],
                      raw_body=b"<svg onload=alert(1)>", headers={"Content-Type": "image/png"})
        self.assert_problem(r, 400, "request.bad_file")
        sec = self.as_user("secretary")
        r = sec.post("/api/v1/orders/%d/photos?stage=later" % self.order["id"], raw_body=JPEG,
                     headers={"Content-Type": "image/jpeg"})
        self.assert_problem(r, 400, "request.bad_query", "stage")

    def test_staff_photo_and_scope(self):
        sec = self.as_user("secretary")
        r = sec.post("/api/v1/orders/%d/photos?stage=progress" % self.order["id"], raw_body=JPEG,
                     headers={"Content-Type": "image/jpeg"})
        self.assertEqual(r.status, 201, r)
        other = self.as_user("secretary2")
        self.assert_problem(other.get("/api/v1/orders/%d/photos/%d" % (self.order["id"],
                                                                        r.json["id"])),
                            403, "auth.forbidden")
        self.assert_problem(sec.get("/api/v1/orders/%d/photos/999999" % self.order["id"]),
                            404, "request_order.not_found")
        detail = sec.get("/api/v1/orders/%d" % self.order["id"]).json
        self.assertIn(r.json["id"], [p["id"] for p in detail["photos"]])


class AvailabilityWindowTest(ServerTestCase):
    def test_a_volunteer_outside_their_hours_is_not_offered(self):
        sec = self.as_user("secretary")
        now = self.server.now()
        cst_minute = ((now + 8 * 3600000) // 60000) % 1440
        # a window that ends before now (or starts after it): never contains the present minute
        if cst_minute >= 120:
            window = {"avail_from": "00:00", "avail_to": "%02d:%02d" % (cst_minute // 60 - 1, 0)}
        else:
            window = {"avail_from": "23:00", "avail_to": "23:59"}
        vols = sec.get("/api/v1/volunteers?node=hutele&specialty=repair").json["items"]
        wang = next(v for v in vols if v["name"] == "王建国")
        r = sec.patch("/api/v1/volunteers/%d" % wang["id"], json=window)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["avail_from"], window["avail_from"])
        o = sec.post("/api/v1/orders", json={"node": "hutele", "category": "repair",
                                             "text": "电线老化跳闸"}).json
        s = sec.get("/api/v1/orders/%d/suggestions" % o["id"]).json["items"]
        w = next(x for x in s if x["id"] == wang["id"])
        self.assertFalse(w["eligible"])
        self.assertTrue(any(reason.startswith("不在服务时段") for reason in w["reasons"]), w)
        self.assert_problem(sec.patch("/api/v1/volunteers/%d" % wang["id"],
                                      json={"avail_from": "25:00"}), 400, "request.bad_field",
                            "avail_from")
        self.assert_problem(sec.patch("/api/v1/volunteers/%d" % wang["id"],
                                      json={"avail_days": 0}), 400, "request.bad_field",
                            "avail_days")


class AutomaticStepsTest(ServerTestCase):
    def test_fallback_offers_are_tala_s_and_offers_say_when_to_answer(self):
        sec, vol = self.as_user("secretary"), self.as_user("volunteer")
        o = sec.post("/api/v1/orders", json={"node": "hutele", "category": "agri",
                                             "text": "牛犊不吃奶"}).json
        d = sec.post("/api/v1/orders/%d/dispatch" % o["id"], json={})
        self.assertEqual(d.status, 200, d)
        mine = vol.get("/api/v1/me/orders").json["items"]
        offered = next(x for x in mine if x["id"] == o["id"])
        self.assertEqual(offered["status"], "offered")
        self.assertIsInstance(offered["respond_by"], int)
        r = vol.post("/api/v1/orders/%d/decline" % o["id"], json={"reason": "去旗里开会"})
        self.assertEqual(r.status, 200, r)
        events = r.json["events"]
        declined = [e for e in events if e["kind"] == "declined"]
        self.assertEqual(declined[-1]["user"], "volunteer")
        # the re-offer after the decline is automatic: no user stands behind it
        after = events[events.index(declined[-1]) + 1:]
        self.assertTrue(after and all(e["user"] is None for e in after), after)
        self.assertIn(after[0]["kind"], ("offered", "escalated", "returned"))
