"""Bad input on the orders and public endpoints: every refusal is problem+json with the right
status, code and field, nothing is written, and the public order form refuses a flood from
one address (20 a minute) while everything else keeps answering."""
import unittest

from test_requests_common import MIN_MS, RequestsCase, Resident

GOOD = {"node": "hutele", "category": "agri", "text": "羊只跛行"}

# (changes to GOOD — None removes the key —, status, code, field)
ORDER_CASES = [
    ({"node": None}, 400, "request.bad_field", "node"),
    ({"node": ""}, 400, "request.bad_field", "node"),
    ({"node": 0}, 400, "request.bad_field", "node"),
    ({"node": ["hutele"]}, 400, "request.bad_field", "node"),
    ({"node": "no-such-village"}, 404, "org.node_not_found", "node"),
    ({"node": 999999}, 404, "org.node_not_found", "node"),
    ({"node": "chaganmulun"}, 400, "request.bad_field", "node"),   # a township
    ({"node": "balinyouqi"}, 400, "request.bad_field", "node"),    # a county
    ({"category": None}, 400, "request.bad_field", "category"),
    ({"category": True}, 400, "request.bad_field", "category"),
    ({"category": "cooking"}, 404, "request_order.category_not_found", "category"),
    ({"category": 999}, 404, "request_order.category_not_found", "category"),
    ({"text": None}, 400, "request.bad_field", "text"),
    ({"text": ""}, 400, "request.bad_field", "text"),
    ({"text": 42}, 400, "request.bad_field", "text"),
    ({"text": {"zh": "羊"}}, 400, "request.bad_field", "text"),
    ({"text": "长" * 1001}, 400, "request.bad_field", "text"),
    ({"address": "址" * 201}, 400, "request.bad_field", "address"),
    ({"address": 7}, 400, "request.bad_field", "address"),
    ({"name": "名" * 51}, 400, "request.bad_field", "name"),
    ({"phone": "call me"}, 400, "request.bad_field", "phone"),
    ({"phone": "1" * 21}, 400, "request.bad_field", "phone"),
    ({"phone": 13900000000}, 400, "request.bad_field", "phone"),
    ({"urgency": "asap"}, 400, "request.bad_field", "urgency"),
    ({"urgency": ""}, 400, "request.bad_field", "urgency"),
    ({"urgency": True}, 400, "request.bad_field", "urgency"),
    ({"household": "hutele-1"}, 400, "request.bad_field", "household"),
    ({"household": -3}, 400, "request.bad_field", "household"),
    ({"household": 1.5}, 400, "request.bad_field", "household"),
    ({"lat": 43.9}, 400, "request.bad_field", "lat"),
    ({"lon": 118.8}, 400, "request.bad_field", "lat"),
    ({"lat": 43.9, "lon": None}, 400, "request.bad_field", "lat"),
    ({"lat": "43.9", "lon": 118.8}, 400, "request.bad_field", "lat"),
    ({"lat": 43.9, "lon": "118.8"}, 400, "request.bad_field", "lat"),
    ({"lat": 90.5, "lon": 118.8}, 400, "request.bad_field", "lat"),
    ({"lat": 43.9, "lon": -180.5}, 400, "request.bad_field", "lat"),
]


def body_with(changes):
    b = dict(GOOD)
    for k, v in changes.items():
        if v is None and k in ("node", "category", "text"):
            b.pop(k, None)
        else:
            b[k] = v
    return b


class OrdersBadInputTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.sec = cls.as_user("secretary")
        cls.order_ = cls.place("agri", "坏输入测试用单")

    def count_orders(self):
        return len(self.list_orders("hutele"))

    def test_create_field_errors(self):
        n = self.count_orders()
        county = self.as_user("county")  # may file anywhere: a township or county node is
        for changes, status, code, field in ORDER_CASES:  # refused for what it is
            with self.subTest(changes=str(changes)[:60]):
                r = county.post("/api/v1/orders", json=body_with(changes))
                self.assert_problem(r, status, code, field)
        self.assertEqual(self.count_orders(), n)
        # At the limits: 1000 characters of text, 200 of address, 50 of name are fine.
        r = self.sec.post("/api/v1/orders", json=dict(GOOD, text="长" * 1000, address="址" * 200,
                                                      name="名" * 50, lat=-90, lon=180))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(r.json["text"]), 1000)
        self.addCleanup(self.cancel, r.json["ticket"])

    def test_blank_text_is_refused(self):
        for text in ("   ", "\n\t", "\u3000\u3000"):
            r = self.sec.post("/api/v1/orders", json=dict(GOOD, text=text))
            self.assert_problem(r, 400, "request.bad_field", "text")

    def test_unknown_household_is_a_404_not_a_500(self):
        r = self.sec.post("/api/v1/orders", json=dict(GOOD, household=99999999))
        self.assert_problem(r, 404, "household.not_found", "household")

    def test_household_of_another_village_is_refused(self):
        other = self.as_user("secretary2").get("/api/v1/households?node=bayanhan").json["items"]
        r = self.sec.post("/api/v1/orders", json=dict(GOOD, household=other[0]["id"]))
        self.assert_problem(r, 404, "household.not_found", "household")
        own = self.sec.get("/api/v1/households?node=hutele").json["items"][0]
        r = self.sec.post("/api/v1/orders", json=dict(GOOD, household=own["id"]))
        self.assertEqual((r.status, r.json["household_id"]), (201, own["id"]), r)
        self.addCleanup(self.cancel, r.json["ticket"])

    def test_bodies_that_are_not_json_objects(self):
        for raw, code in ((b'{"node": "hutele", "category": "agri", "text": "\xff\xfe"}',
                           "request.invalid_utf8"),
                          (b'{"node": "hutele", "category": "agri", "text": "\xc3\x28"}',
                           "request.invalid_utf8"),
                          (b'{"node": "hutele",', "request.malformed_json"),
                          (b'["hutele"]', "request.malformed_json"),
                          (b'"hutele"', "request.malformed_json"),
                          (b'{"node": "hutele", "category": "agri", "text": "a\\u0000b"}',
                           "request.malformed_json"),
                          (b'{"node": "hutele", "node": "bayanhan", "category": "agri", '
                           b'"text": "x"}', "request.malformed_json")):
            self.assert_problem(self.sec.post("/api/v1/orders", raw_body=raw), 400, code)
        self.assert_problem(self.sec.post("/api/v1/orders", raw_body=b"node=hutele",
                                          headers={"Content-Type": "text/plain"}), 415,
                            "request.unsupported_media_type")
        self.assert_problem(self.sec.post("/api/v1/orders"), 400, "request.malformed_json")
        self.assert_problem(self.sec.post("/api/v1/orders", json={}), 400, "request.bad_field",
                            "node")

    def test_ids_in_the_path(self):
        oid = self.order_["id"]
        for bad in ("abc", "0", "-1", "1.5", "1e3", "9" * 19, "%20"):
            with self.subTest(bad=bad):
                self.assert_problem(self.sec.get("/api/v1/orders/%s" % bad), 400,
                                    "request.bad_id")
                self.assert_problem(self.sec.get("/api/v1/orders/%s/suggestions" % bad), 400,
                                    "request.bad_id")
                self.assert_problem(self.sec.post("/api/v1/orders/%s/dispatch" % bad, json={}),
                                    400, "request.bad_id")
                self.assert_problem(self.as_user("volunteer").post(
                    "/api/v1/orders/%s/accept" % bad), 400, "request.bad_id")
        for path, body in (("/api/v1/orders/999999", None),
                           ("/api/v1/orders/999999/suggestions", None),
                           ("/api/v1/orders/999999/dispatch", {}),
                           ("/api/v1/orders/999999/escalate", {"reason": "x"}),
                           ("/api/v1/orders/999999/visit", {"resolved": True, "satisfied": True})):
            r = self.sec.get(path) if body is None else self.sec.post(path, json=body)
            self.assert_problem(r, 404, "request_order.not_found")
        r = self.as_user("town").post("/api/v1/orders/999999/review",
                                      json={"unreasonable": True, "note": "x"})
        self.assert_problem(r, 404, "request_order.not_found")
        for verb in ("accept", "decline", "start", "progress"):
            self.assert_problem(self.as_user("volunteer").post("/api/v1/orders/999999/%s" % verb,
                                                               json={}), 404,
                                "request_order.not_found")
        self.assert_problem(self.sec.post("/api/v1/orders/%d/frobnicate" % oid, json={}), 404,
                            "request.not_found")

    def test_verb_bodies(self):
        oid = self.order_["id"]
        vol = self.as_user("volunteer")
        ids = self.volunteer_ids()
        for body, code, field in (({"volunteer": "额尔敦"}, "request.bad_field", "volunteer"),
                                  ({"volunteer": 1.5}, "request.bad_field", "volunteer"),
                                  ({"volunteer": 999999}, "volunteer.not_found", "volunteer"),
                                  ({"volunteer": ids["巴特尔"]}, "volunteer.not_found",
                                   "volunteer")):  # another village's: no candidate here
            r = self.sec.post("/api/v1/orders/%d/dispatch" % oid, json=body)
            self.assert_problem(r, 404 if code == "volunteer.not_found" else 400, code, field)
        self.assertEqual(self.order(oid)["status"], "new")
        self.assert_problem(self.sec.post("/api/v1/orders/%d/escalate" % oid,
                                          json={"reason": "理" * 301}), 400, "request.bad_field",
                            "reason")
        # The order is new: no visit, no work, no answer.
        self.assert_problem(self.sec.post("/api/v1/orders/%d/visit" % oid,
                                          json={"resolved": True, "satisfied": True}), 409,
                            "request_order.bad_state")
        for body, field in (({"satisfied": True}, "resolved"), ({"resolved": True}, "satisfied"),
                            ({"resolved": "yes", "satisfied": True}, "resolved"),
                            ({"resolved": True, "satisfied": 1}, "satisfied"),
                            ({"resolved": True, "satisfied": True, "note": "注" * 501}, "note")):
            self.assert_problem(self.sec.post("/api/v1/orders/%d/visit" % oid, json=body), 400,
                                "request.bad_field", field)
        for body, field in (({"note": "x"}, "unreasonable"), ({"unreasonable": True}, "note"),
                            ({"unreasonable": "true", "note": "x"}, "unreasonable")):
            self.assert_problem(self.as_user("town").post("/api/v1/orders/%d/review" % oid,
                                                          json=body), 400, "request.bad_field",
                                field)
        self.assert_problem(vol.post("/api/v1/orders/%d/accept" % oid), 409,
                            "request_order.bad_state")
        for body in ({}, {"minutes": 0}, {"minutes": 1441}, {"minutes": "60"}, {"minutes": 1.5},
                     {"minutes": -5}):
            self.assert_problem(vol.post("/api/v1/orders/%d/complete" % oid, json=body), 400,
                                "request.bad_field", "minutes")
        self.assert_problem(vol.post("/api/v1/orders/%d/progress" % oid,
                                     json={"note": "注" * 1001}), 400, "request.bad_field", "note")
        self.assert_problem(vol.post("/api/v1/orders/%d/decline" % oid,
                                     json={"reason": 5}), 400, "request.bad_field", "reason")
        self.assertEqual(self.kinds(self.order(oid)), ["placed"])

    def test_list_and_rates_queries(self):
        for q, field in (("?node=", None), ("?node=" + "x" * 65, None),
                         ("?node=hutele&status=" + "s" * 21, None)):
            self.assert_problem(self.sec.get("/api/v1/orders" + q), 400, "request.bad_query", field)
        self.assert_problem(self.sec.get("/api/v1/orders?node=nowhere"), 404, "org.node_not_found")
        self.assertEqual(self.list_orders("hutele", query="&status=bogus"), [])
        for q, field in (("&by=week", "by"), ("&by=", "by"), ("&from=abc", "from"),
                         ("&from=-1", "from"), ("&to=1e3", "to"), ("&to=%s" % ("9" * 30), "to")):
            self.assert_problem(self.sec.get("/api/v1/orders/rates?node=hutele" + q), 400,
                                "request.bad_query", field)


class PublicBadInputTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.placed = cls.place_public("agri", text="公共端坏输入测试")

    def resident(self):
        return Resident(self.server)

    def test_create_field_errors(self):
        n = len(self.list_orders("hutele"))
        for changes, status, code, field in ORDER_CASES:
            with self.subTest(changes=str(changes)[:60]):
                r = self.resident().post("/api/v1/public/orders", json=body_with(changes))
                self.assert_problem(r, status, code, field)
        for raw, code in ((b'{"node": "hutele", "category": "agri", "text": "\xed\xa0\x80"}',
                           "request.invalid_utf8"),
                          (b'{"node": "hutele", "category": "agri", "text": "\xff"}',
                           "request.invalid_utf8"),
                          (b'{"node":', "request.malformed_json"),
                          (b'[]', "request.malformed_json")):
            self.assert_problem(self.resident().post("/api/v1/public/orders", raw_body=raw), 400,
                                code)
        self.assertEqual(len(self.list_orders("hutele")), n)

    def test_tickets(self):
        anon = self.resident()
        for bad in ("abc", "ABCDEFGHJ", "ABCDEFGHJKL", "abcdefghjk", "0000000000", "OOOOOOOOOO",
                    "IIIIIIIIII", "1111111111", "ABCDE-GHJK", "%20%20%20%20%20%20%20%20%20%20"):
            with self.subTest(ticket=bad):
                self.assert_problem(anon.get("/api/v1/public/orders/%s" % bad), 400,
                                    "request.bad_id")
                self.assert_problem(anon.post("/api/v1/public/orders/%s/rate" % bad,
                                              json={"rating": 5}), 400, "request.bad_id")
                self.assert_problem(anon.post("/api/v1/public/orders/%s/cancel" % bad), 400,
                                    "request.bad_id")
        unknown = "2222222222" if self.placed["ticket"] != "2222222222" else "3333333333"
        self.assert_problem(anon.get("/api/v1/public/orders/%s" % unknown), 404,
                            "request_order.not_found")
        self.assert_problem(anon.post("/api/v1/public/orders/%s/rate" % unknown,
                                      json={"rating": 5}), 404, "request_order.not_found")
        self.assert_problem(anon.post("/api/v1/public/orders/%s/cancel" % unknown), 404,
                            "request_order.not_found")
        # The real ticket, lower-cased, is not the ticket.
        self.assert_problem(anon.get("/api/v1/public/orders/%s" % self.placed["ticket"].lower()),
                            400, "request.bad_id")

    def test_rating(self):
        anon = self.resident()
        t = self.placed["ticket"]
        for body in ({}, {"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": 4.5},
                     {"rating": None}, {"rating": 5, "comment": "评" * 301}):
            field = "comment" if "comment" in body else "rating"
            self.assert_problem(anon.post("/api/v1/public/orders/%s/rate" % t, json=body), 400,
                                "request.bad_field", field)
        # Not done yet: nothing to rate.
        self.assert_problem(anon.post("/api/v1/public/orders/%s/rate" % t, json={"rating": 5}),
                            409, "request_order.bad_state")
        self.assertIsNone(self.order(self.placed["id"])["rating"])

    def test_categories(self):
        r = self.resident().get("/api/v1/public/request-categories")
        self.assertEqual(r.status, 200, r)
        got = [(c["code"], c["name"], c["tier"], c["specialty"]) for c in r.json["items"]]
        self.assertEqual(got, [("health", "健康义诊", "general", "medicine"),
                               ("agri", "农牧技术", "general", "agriculture"),
                               ("legal", "法律咨询", "general", "law"),
                               ("mediation", "矛盾调解", "complex", "mediation"),
                               ("errand", "生活帮办", "general", "daily"),
                               ("repair", "水电暖维修", "utility", "repair")])

    def test_flood_from_one_address(self):
        flood = Resident(self.server, ip="203.0.113.77")
        t0 = self.now()
        statuses = []
        for i in range(21):
            r = flood.post("/api/v1/public/orders", json=dict(GOOD, text="刷单 %d" % i))
            statuses.append(r.status)
        self.assertLess(self.now() - t0, MIN_MS)  # all within the minute
        self.assertEqual(statuses, [201] * 20 + [429])
        self.assert_problem(flood.post("/api/v1/public/orders", json=GOOD), 429, "rate.limited")
        # Bad bodies count too: no free probing.
        self.assert_problem(flood.post("/api/v1/public/orders", json={}), 429, "rate.limited")
        # Everything else still answers, to that address and to others.
        self.assertEqual(flood.get("/api/v1/public/request-categories").status, 200)
        self.assertEqual(flood.get("/api/v1/public/orders/%s" % self.placed["ticket"]).status, 200)
        self.assertEqual(self.resident().post("/api/v1/public/orders", json=GOOD).status, 201)
        self.assertEqual(self.as_user("secretary").get("/api/v1/orders?node=hutele").status, 200)
        self.assertEqual(self.server.client().get("/healthz").status, 200)
        # A minute later the address may order again.
        self.advance(MIN_MS)
        self.assertEqual(flood.post("/api/v1/public/orders", json=GOOD).status, 201)


if __name__ == "__main__":
    unittest.main()
