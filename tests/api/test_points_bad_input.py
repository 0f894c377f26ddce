"""Bad input on every points endpoint: wrong types, missing fields, out-of-range numbers, short
idempotency keys, unknown ids (404), non-numeric ids (400), invalid UTF-8 and oversized text —
always application/problem+json with the right code and field, and nothing written."""
import unittest

from test_points_common import PointsCase, new_key

BAD_UTF8 = (b'{"household": %d, "item": "b-plus", "note": "\xff\xfe\xc3", '
            b'"idempotency_key": "utf8-key-0001"}')


class PointsBadInputTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("bcheck")
        cls.town = cls.as_user("town")
        cls.hh = cls.new_household(cls.sec)["id"]
        cls.item = cls.new_item(cls.sec, "b-plus", 5)
        cls.goods = cls.new_goods(cls.sec, price=3, stock=4)
        cls.entry = cls.earn(cls.sec, cls.chk, cls.hh, "b-plus", times=2)[0]
        r = cls.sec.get("/api/v1/points/periods?node=hutele")
        cls.period = [p for p in r.json["items"] if p["status"] == "open"][0]

    def setUp(self):
        self.before = self.snapshot()

    def tearDown(self):
        # Nothing a refused request touched has changed.
        self.assertEqual(self.snapshot(), self.before)

    def snapshot(self):
        pts = self.hh_points(self.sec, self.hh)
        items = self.sec.get("/api/v1/points/items?node=hutele&all=1").json["items"]
        goods = self.goods_by_id(self.sec, "hutele", self.goods["id"])
        periods = self.sec.get("/api/v1/points/periods?node=hutele").json["items"]
        reds = self.redemptions(self.sec, "hutele")
        objs = self.sec.get("/api/v1/points/objections?node=hutele").json["items"]
        return (pts["balance"], pts["pending"], len(pts["entries"]), len(items), goods["stock"],
                [(p["id"], p["status"]) for p in periods], len(reds), len(objs))

    def bad(self, resp, status, code, field=None):
        return self.assert_problem(resp, status, code, field)

    def cases(self, client, method, path, base, cases):
        """cases: (override dict or callable, status, code, field)."""
        for override, status, code, field in cases:
            body = dict(base)
            for k, v in override.items():
                if v is _DROP:
                    body.pop(k, None)
                else:
                    body[k] = v
            with self.subTest(path=path, body=body):
                self.bad(client.request(method, path, json=body), status, code, field)

    # -- scoring items --

    def test_item_create(self):
        base = {"node": "hutele", "code": "b-new", "name": "新项目", "points": 5}
        self.cases(self.sec, "POST", "/api/v1/points/items", base, [
            ({"node": _DROP}, 400, "request.bad_field", "node"),
            ({"node": 0}, 400, "request.bad_field", "node"),
            ({"node": ["hutele"]}, 400, "request.bad_field", "node"),
            ({"node": "no-such-node"}, 404, "org.node_not_found", "node"),
            ({"code": _DROP}, 400, "request.bad_field", "code"),
            ({"code": 12}, 400, "request.bad_field", "code"),
            ({"code": "bad code"}, 400, "request.bad_field", "code"),
            ({"code": "编码"}, 400, "request.bad_field", "code"),
            ({"code": "x" * 33}, 400, "request.bad_field", "code"),
            ({"name": _DROP}, 400, "request.bad_field", "name"),
            ({"name": ""}, 400, "request.bad_field", "name"),
            ({"name": "  \u3000"}, 400, "request.bad_field", "name"),
            ({"name": "名" * 101}, 400, "request.bad_field", "name"),
            ({"name": "a\u0007b"}, 400, "request.bad_field", "name"),
            ({"points": _DROP}, 400, "request.bad_field", "points"),
            ({"points": 0}, 400, "request.bad_field", "points"),
            ({"points": 5000}, 400, "request.bad_field", "points"),
            ({"points": 1001}, 400, "request.bad_field", "points"),
            ({"points": -1001}, 400, "request.bad_field", "points"),
            ({"points": "5"}, 400, "request.bad_field", "points"),
            ({"points": 2.5}, 400, "request.bad_field", "points"),
            ({"points": True}, 400, "request.bad_field", "points"),
            ({"category": ""}, 400, "request.bad_field", "category"),
            ({"category": 3}, 400, "request.bad_field", "category"),
            ({"category": "类" * 21}, 400, "request.bad_field", "category"),
            ({"evidence_required": "yes"}, 400, "request.bad_field", "evidence_required"),
            ({"evidence_required": 1}, 400, "request.bad_field", "evidence_required"),
            ({"decision": "决" * 201}, 400, "request.bad_field", "decision"),
        ])
        # The limits themselves are fine.
        for pts, code in ((1000, "b-max"), (-1000, "b-min")):
            r = self.sec.post("/api/v1/points/items", json=dict(base, code=code, points=pts))
            self.assertEqual(r.status, 201, r)
        self.before = self.snapshot()

    def test_item_revise(self):
        p = "/api/v1/points/items/%d" % self.item["id"]
        self.cases(self.sec, "PUT", p, {"decision": "会议决定"}, [
            ({"decision": _DROP}, 400, "request.bad_field", "decision"),
            ({"decision": ""}, 400, "request.bad_field", "decision"),
            ({"decision": " \t\u3000"}, 400, "request.bad_field", "decision"),
            ({"decision": 7}, 400, "request.bad_field", "decision"),
            ({"points": 0}, 400, "request.bad_field", "points"),
            ({"points": 5000}, 400, "request.bad_field", "points"),
            ({"points": "8"}, 400, "request.bad_field", "points"),
            ({"name": ""}, 400, "request.bad_field", "name"),
            ({"name": 5}, 400, "request.bad_field", "name"),
            ({"category": ""}, 400, "request.bad_field", "category"),
            ({"evidence_required": "no"}, 400, "request.bad_field", "evidence_required"),
        ])
        self.bad(self.sec.put("/api/v1/points/items/999999", json={"decision": "x"}), 404,
                 "points.item_not_found", "item")
        for bad_id in ("abc", "0", "-1", "1.5", "1e3", "9" * 19):
            with self.subTest(id=bad_id):
                self.bad(self.sec.put("/api/v1/points/items/%s" % bad_id,
                                      json={"decision": "x"}), 400, "request.bad_id")

    # -- periods --

    def test_period_create_and_transitions(self):
        base = {"node": "hutele", "name": "2027Q1"}
        self.cases(self.sec, "POST", "/api/v1/points/periods", base, [
            ({"node": _DROP}, 400, "request.bad_field", "node"),
            ({"name": _DROP}, 400, "request.bad_field", "name"),
            ({"name": ""}, 400, "request.bad_field", "name"),
            ({"name": "   "}, 400, "request.bad_field", "name"),
            ({"name": "期" * 21}, 400, "request.bad_field", "name"),
            ({"publicity_days": 0}, 400, "request.bad_field", "publicity_days"),
            ({"publicity_days": 61}, 400, "request.bad_field", "publicity_days"),
            ({"publicity_days": "7"}, 400, "request.bad_field", "publicity_days"),
            ({"node": "no-such-node"}, 404, "org.node_not_found", "node"),
        ])
        self.bad(self.town.post("/api/v1/points/periods", json={"node": "chaganmulun",
                                                                "name": "2027Q1"}),
                 400, "request.bad_field", "node")
        # One open period per village.
        self.bad(self.sec.post("/api/v1/points/periods", json=base), 409, "points.bad_state")
        for verb in ("close", "publish", "seal"):
            self.bad(self.sec.post("/api/v1/points/periods/abc/%s" % verb), 400, "request.bad_id")
            self.bad(self.sec.post("/api/v1/points/periods/999999/%s" % verb), 404,
                     "points.not_found")
        self.bad(self.sec.post("/api/v1/points/periods/%d/explode" % self.period["id"]), 404,
                 "request.not_found")
        # Out of order: an open period cannot be published or sealed.
        self.bad(self.sec.post("/api/v1/points/periods/%d/publish" % self.period["id"]), 409,
                 "points.bad_state")
        self.bad(self.sec.post("/api/v1/points/periods/%d/seal" % self.period["id"]), 409,
                 "points.bad_state")

    # -- entries --

    def test_entry_create(self):
        base = {"household": self.hh, "item": "b-plus", "note": "ok",
                "idempotency_key": "bad-input-key-1"}
        self.cases(self.sec, "POST", "/api/v1/points/entries", base, [
            ({"household": _DROP}, 400, "request.bad_field", "household"),
            ({"household": str(self.hh)}, 400, "request.bad_field", "household"),
            ({"household": 0}, 400, "request.bad_field", "household"),
            ({"household": -3}, 400, "request.bad_field", "household"),
            ({"household": 1.0}, 400, "request.bad_field", "household"),
            ({"household": 999999}, 404, "household.not_found", "household"),
            ({"item": _DROP}, 400, "request.bad_field", "item"),
            ({"item": 0}, 400, "request.bad_field", "item"),
            ({"item": -1}, 400, "request.bad_field", "item"),
            ({"item": ""}, 400, "request.bad_field", "item"),
            ({"item": {"id": 1}}, 400, "request.bad_field", "item"),
            ({"item": 999999}, 404, "points.item_not_found", "item"),
            ({"item": "no-such-item"}, 404, "points.item_not_found", "item"),
            ({"note": 5}, 400, "request.bad_field", "note"),
            ({"note": "记" * 501}, 400, "request.bad_field", "note"),
            ({"note": "tab\u0001"}, 400, "request.bad_field", "note"),
            ({"evidence": "证" * 501}, 400, "request.bad_field", "evidence"),
            ({"evidence": False}, 400, "request.bad_field", "evidence"),
            ({"idempotency_key": _DROP}, 400, "request.bad_field", "idempotency_key"),
            ({"idempotency_key": "short"}, 400, "request.bad_field", "idempotency_key"),
            ({"idempotency_key": "1234567"}, 400, "request.bad_field", "idempotency_key"),
            ({"idempotency_key": "k" * 101}, 400, "request.bad_field", "idempotency_key"),
            ({"idempotency_key": 12345678}, 400, "request.bad_field", "idempotency_key"),
        ])
        # Exactly 500 characters of note and a key of 8 are accepted.
        r = self.sec.post("/api/v1/points/entries", json=dict(base, note="记" * 500,
                                                              idempotency_key="8-chars!"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(r.json["note"]), 500)
        self.before = self.snapshot()

    def test_entry_body_encoding(self):
        p = "/api/v1/points/entries"
        self.bad(self.sec.post(p, raw_body=BAD_UTF8 % self.hh), 400, "request.invalid_utf8")
        self.bad(self.sec.post(p, raw_body=b'{"household": 1, "item": '), 400,
                 "request.malformed_json")
        self.bad(self.sec.post(p, raw_body=b'[1, 2]'), 400, "request.malformed_json")
        self.bad(self.sec.post(p, raw_body=b''), 400, "request.malformed_json")
        self.bad(self.sec.post(p, raw_body=b'{"household": 1, "household": 2}'), 400,
                 "request.malformed_json")
        self.bad(self.sec.post(p, raw_body=b'{"household": 99999999999999999999999}'), 400,
                 "request.malformed_json")
        self.bad(self.sec.post(p, raw_body=b'{"a":' * 40 + b'1' + b'}' * 40), 400,
                 "request.too_deep")
        self.bad(self.sec.post(p, raw_body='{"household": 1}',
                               headers={"Content-Type": "text/plain"}), 415,
                 "request.unsupported_media_type")

    def test_entry_decisions(self):
        pending = self.post_entry(self.sec, self.hh, "b-plus").json
        self.before = self.snapshot()
        for verb in ("approve", "reject", "reverse", "spot-check"):
            body = {"reason": "r"} if verb in ("reject", "reverse") else (
                {"ok": True, "note": ""} if verb == "spot-check" else None)
            client = self.town if verb == "spot-check" else self.chk
            for bad_id in ("abc", "0", "-5", "12x", "9" * 19, "%20"):
                with self.subTest(verb=verb, id=bad_id):
                    self.bad(client.request("POST", "/api/v1/points/entries/%s/%s"
                                            % (bad_id, verb), json=body)
                             if body is not None else
                             client.post("/api/v1/points/entries/%s/%s" % (bad_id, verb)),
                             400, "request.bad_id")
            with self.subTest(verb=verb, id="unknown"):
                path = "/api/v1/points/entries/999999/%s" % verb
                r = client.post(path, json=body) if body is not None else client.post(path)
                self.bad(r, 404, "points.not_found")
        pe = "/api/v1/points/entries/%d/" % pending["id"]
        ae = "/api/v1/points/entries/%d/" % self.entry["id"]
        self.bad(self.chk.post(pe + "reject", json={"reason": 3}), 400, "request.bad_field",
                 "reason")
        self.bad(self.chk.post(pe + "reject", json={"reason": "因" * 301}), 400,
                 "request.bad_field", "reason")
        self.bad(self.chk.post(pe + "reject", raw_body=b'{"reason": "\xc3\x28"}'), 400,
                 "request.invalid_utf8")
        self.bad(self.sec.post(ae + "reverse", json={}), 400, "request.bad_field", "reason")
        self.bad(self.sec.post(ae + "reverse", json={"reason": ""}), 400, "request.bad_field",
                 "reason")
        self.bad(self.sec.post(ae + "reverse", json={"reason": " \u3000\n"}), 400,
                 "request.bad_field", "reason")
        self.bad(self.sec.post(ae + "reverse", json={"reason": ["x"]}), 400,
                 "request.bad_field", "reason")
        self.bad(self.sec.post(ae + "reverse", json={"reason": "因" * 301}), 400,
                 "request.bad_field", "reason")
        self.bad(self.sec.post(ae + "reverse"), 400, "request.malformed_json")
        self.bad(self.town.post(ae + "spot-check", json={"note": "x"}), 400,
                 "request.bad_field", "ok")
        self.bad(self.town.post(ae + "spot-check", json={"ok": "yes", "note": "x"}), 400,
                 "request.bad_field", "ok")
        self.bad(self.town.post(ae + "spot-check", json={"ok": True, "note": "注" * 301}), 400,
                 "request.bad_field", "note")

    # -- objections --

    def test_objections(self):
        p = "/api/v1/points/objections"
        base = {"entry": self.entry["id"], "text": "有异议"}
        self.cases(self.sec, "POST", p, base, [
            ({"entry": _DROP}, 400, "request.bad_field", "entry"),
            ({"entry": "1"}, 400, "request.bad_field", "entry"),
            ({"entry": 0}, 400, "request.bad_field", "entry"),
            ({"entry": -2}, 400, "request.bad_field", "entry"),
            ({"text": _DROP}, 400, "request.bad_field", "text"),
            ({"text": ""}, 400, "request.bad_field", "text"),
            ({"text": "  \u3000 "}, 400, "request.bad_field", "text"),
            ({"text": "异" * 501}, 400, "request.bad_field", "text"),
            ({"entry": 999999}, 404, "points.not_found", None),
        ])
        # The entry's period is open, not in publicity: no objections yet.
        self.bad(self.sec.post(p, json=base), 409, "points.bad_state")
        d = "/api/v1/points/objections/%s/decide"
        self.bad(self.sec.post(d % "abc", json={"uphold": True, "decision": "x"}), 400,
                 "request.bad_id")
        self.bad(self.sec.post(d % "999999", json={"uphold": True, "decision": "x"}), 404,
                 "points.not_found")
        self.bad(self.sec.post(d % "1", json={"decision": "x"}), 400, "request.bad_field",
                 "uphold")
        self.bad(self.sec.post(d % "1", json={"uphold": 1, "decision": "x"}), 400,
                 "request.bad_field", "uphold")
        self.bad(self.sec.post(d % "1", json={"uphold": False, "decision": ""}), 400,
                 "request.bad_field", "decision")
        self.bad(self.sec.post(d % "1", json={"uphold": False, "decision": "\u3000"}), 400,
                 "request.bad_field", "decision")
        self.bad(self.sec.post(d % "1", json={"uphold": False}), 400, "request.bad_field",
                 "decision")

    # -- store --

    def test_goods(self):
        base = {"node": "hutele", "name": "香皂", "price": 5, "stock": 10}
        self.cases(self.sec, "POST", "/api/v1/points/goods", base, [
            ({"node": _DROP}, 400, "request.bad_field", "node"),
            ({"name": _DROP}, 400, "request.bad_field", "name"),
            ({"name": ""}, 400, "request.bad_field", "name"),
            ({"name": " "}, 400, "request.bad_field", "name"),
            ({"name": "品" * 101}, 400, "request.bad_field", "name"),
            ({"price": _DROP}, 400, "request.bad_field", "price"),
            ({"price": 0}, 400, "request.bad_field", "price"),
            ({"price": -5}, 400, "request.bad_field", "price"),
            ({"price": 100001}, 400, "request.bad_field", "price"),
            ({"price": "5"}, 400, "request.bad_field", "price"),
            ({"stock": _DROP}, 400, "request.bad_field", "stock"),
            ({"stock": -1}, 400, "request.bad_field", "stock"),
            ({"stock": 1000001}, 400, "request.bad_field", "stock"),
            ({"stock": 1.5}, 400, "request.bad_field", "stock"),
            ({"source": "stolen"}, 400, "request.bad_field", "source"),
            ({"source": 1}, 400, "request.bad_field", "source"),
            ({"node": "no-such-node"}, 404, "org.node_not_found", "node"),
        ])
        self.bad(self.town.post("/api/v1/points/goods", json=dict(base, node="chaganmulun")),
                 400, "request.bad_field", "node")
        rs = "/api/v1/points/goods/%s/restock"
        gid = str(self.goods["id"])
        for q in (-1, 0, 1000001, "3", None):
            with self.subTest(quantity=q):
                self.bad(self.sec.post(rs % gid, json={"quantity": q}), 400,
                         "request.bad_field", "quantity")
        self.bad(self.sec.post(rs % gid, json={}), 400, "request.bad_field", "quantity")
        self.bad(self.sec.post(rs % "abc", json={"quantity": 1}), 400, "request.bad_id")
        self.bad(self.sec.post(rs % "999999", json={"quantity": 1}), 404,
                 "points.goods_not_found", "goods")

    def test_redemptions(self):
        base = {"household": self.hh, "goods": self.goods["id"], "quantity": 1,
                "idempotency_key": "bad-redeem-key-1"}
        self.cases(self.sec, "POST", "/api/v1/points/redemptions", base, [
            ({"household": _DROP}, 400, "request.bad_field", "household"),
            ({"household": "x"}, 400, "request.bad_field", "household"),
            ({"household": 0}, 400, "request.bad_field", "household"),
            ({"household": 999999}, 404, "household.not_found", "household"),
            ({"goods": _DROP}, 400, "request.bad_field", "goods"),
            ({"goods": 0}, 400, "request.bad_field", "goods"),
            ({"goods": "1"}, 400, "request.bad_field", "goods"),
            ({"goods": 999999}, 404, "points.goods_not_found", "goods"),
            ({"quantity": -1}, 400, "request.bad_field", "quantity"),
            ({"quantity": 0}, 400, "request.bad_field", "quantity"),
            ({"quantity": 101}, 400, "request.bad_field", "quantity"),
            ({"quantity": "2"}, 400, "request.bad_field", "quantity"),
            ({"idempotency_key": _DROP}, 400, "request.bad_field", "idempotency_key"),
            ({"idempotency_key": "short"}, 400, "request.bad_field", "idempotency_key"),
            ({"idempotency_key": "r" * 101}, 400, "request.bad_field", "idempotency_key"),
            ({"quantity": 5}, 409, "points.out_of_stock", "goods"),
            ({"quantity": 4}, 409, "points.insufficient", None),
        ])
        st = "/api/v1/points/redemptions/%s/%s"
        for verb in ("pickup", "cancel"):
            self.bad(self.sec.post(st % ("abc", verb)), 400, "request.bad_id")
            self.bad(self.sec.post(st % ("999999", verb)), 404, "points.not_found")
        self.bad(self.sec.post(st % ("1", "steal")), 404, "request.not_found")

    # -- reads --

    def test_list_queries(self):
        for path in ("/api/v1/points/items", "/api/v1/points/periods", "/api/v1/points/entries",
                     "/api/v1/points/goods", "/api/v1/points/redemptions",
                     "/api/v1/points/objections", "/api/v1/points/report"):
            with self.subTest(path=path):
                self.bad(self.sec.get(path + "?node="), 400, "request.bad_query")
                self.bad(self.sec.get(path + "?node=" + "x" * 65), 400, "request.bad_query")
                self.bad(self.sec.get(path + "?node=no-such-node"), 404, "org.node_not_found",
                         "node")
        for q, field in (("period=abc", "period"), ("period=-1", "period"),
                         ("household=x1", "household"), ("household=1.5", "household")):
            for path in ("/api/v1/points/entries", "/api/v1/points/objections"):
                with self.subTest(path=path, q=q):
                    self.bad(self.sec.get("%s?node=hutele&%s" % (path, q)), 400,
                             "request.bad_query", field)
        self.bad(self.sec.get("/api/v1/points/entries?node=hutele&status=" + "s" * 21), 400,
                 "request.bad_query")
        self.bad(self.sec.get("/api/v1/points/report?node=hutele&period=" + "p" * 21), 400,
                 "request.bad_query")
        self.bad(self.sec.get("/api/v1/households/abc/points"), 400, "request.bad_id")
        self.bad(self.sec.get("/api/v1/households/0/points"), 400, "request.bad_id")
        self.bad(self.sec.get("/api/v1/households/999999/points"), 404, "household.not_found",
                 "household")

    def test_without_session_or_csrf(self):
        anon = self.anonymous()
        self.bad(anon.get("/api/v1/points/items?node=hutele"), 401, "auth.required")
        self.bad(anon.post("/api/v1/points/entries", json={
            "household": self.hh, "item": "b-plus", "idempotency_key": new_key()}), 401,
            "auth.required")
        self.bad(self.sec.post("/api/v1/points/entries", json={
            "household": self.hh, "item": "b-plus", "idempotency_key": new_key()}, csrf=False),
            403, "csrf.missing")
        self.bad(self.chk.post("/api/v1/points/entries/%d/approve" % self.entry["id"],
                               csrf=False), 403, "csrf.missing")


class _Drop:
    def __repr__(self):
        return "<dropped>"


_DROP = _Drop()


if __name__ == "__main__":
    unittest.main()
