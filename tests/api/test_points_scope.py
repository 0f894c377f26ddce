"""Points scope and roles: a branch secretary of another village can neither write nor read a
household's points; volunteers read only; spot-checks are for township and county staff;
auditor, system and security admins get 403 on every points endpoint."""
import unittest

from test_points_common import PointsCase, new_key


class PointsScopeTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("scheck")
        cls.hh = cls.new_household(cls.sec, head="范围户")["id"]
        cls.item = cls.new_item(cls.sec, "s-plus", 6)
        cls.goods = cls.new_goods(cls.sec, price=2, stock=10)
        cls.approved = cls.earn(cls.sec, cls.chk, cls.hh, "s-plus", times=2)
        r = cls.post_entry(cls.sec, cls.hh, "s-plus", key="scope-pending-key")
        assert r.status == 201, r
        cls.pending = r.json
        r = cls.redeem(cls.sec, cls.hh, cls.goods["id"])
        assert r.status == 201, r
        cls.redemption = r.json
        r = cls.sec.get("/api/v1/points/periods?node=hutele")
        cls.period = [p for p in r.json["items"] if p["status"] == "open"][0]

    def write_requests(self):
        """(method, path, body) of every points write aimed at hutele's records."""
        e = self.approved[0]["id"]
        return [
            ("POST", "/api/v1/points/items", {"node": "hutele", "code": "s-x%s" % new_key()[-4:],
                                              "name": "x", "points": 1}),
            ("PUT", "/api/v1/points/items/%d" % self.item["id"], {"decision": "越权修改"}),
            ("POST", "/api/v1/points/periods", {"node": "hutele", "name": "越权"}),
            ("POST", "/api/v1/points/periods/%d/close" % self.period["id"], None),
            ("POST", "/api/v1/points/entries", {"household": self.hh, "item": self.item["id"],
                                                "note": "", "idempotency_key": new_key("w")}),
            ("POST", "/api/v1/points/entries", {"household": self.hh, "item": "s-plus",
                                                "idempotency_key": "scope-pending-key"}),
            ("POST", "/api/v1/points/entries/%d/approve" % self.pending["id"], None),
            ("POST", "/api/v1/points/entries/%d/reject" % self.pending["id"], {"reason": "x"}),
            ("POST", "/api/v1/points/entries/%d/reverse" % e, {"reason": "x"}),
            ("POST", "/api/v1/points/goods", {"node": "hutele", "name": "x", "price": 1,
                                              "stock": 1}),
            ("POST", "/api/v1/points/goods/%d/restock" % self.goods["id"], {"quantity": 1}),
            ("POST", "/api/v1/points/redemptions", {"household": self.hh,
                                                    "goods": self.goods["id"],
                                                    "idempotency_key": new_key("w")}),
            ("POST", "/api/v1/points/redemptions/%d/pickup" % self.redemption["id"], None),
            ("POST", "/api/v1/points/redemptions/%d/cancel" % self.redemption["id"], None),
        ]

    def read_paths(self):
        return [
            "/api/v1/points/items?node=hutele",
            "/api/v1/points/periods?node=hutele",
            "/api/v1/points/entries?node=hutele",
            "/api/v1/households/%d/points" % self.hh,
            "/api/v1/points/objections?node=hutele",
            "/api/v1/points/goods?node=hutele",
            "/api/v1/points/redemptions?node=hutele",
        ]

    def send(self, client, method, path, body):
        if body is None:
            return client.request(method, path)
        return client.request(method, path, json=body)

    def assert_unchanged(self):
        pts = self.hh_points(self.sec, self.hh)
        self.assertEqual((pts["balance"], pts["pending"]), (12, 2))
        st = {e["id"]: e["status"] for e in pts["entries"]}
        self.assertEqual(st[self.pending["id"]], "pending")
        self.assertTrue(all(e["reversed_by"] is None for e in pts["entries"]))
        g = self.goods_by_id(self.sec, "hutele", self.goods["id"])
        self.assertEqual(g["stock"], 9)
        held = [r["id"] for r in self.redemptions(self.sec, "hutele", "held")]
        self.assertIn(self.redemption["id"], held)

    def test_another_village_secretary_can_neither_write_nor_read(self):
        s2 = self.as_user("secretary2")
        for method, path, body in self.write_requests():
            with self.subTest(method=method, path=path):
                self.assert_problem(self.send(s2, method, path, body), 403, "auth.forbidden")
        for path in self.read_paths():
            with self.subTest(path=path):
                self.assert_problem(s2.get(path), 403, "auth.forbidden")
        self.assert_unchanged()

    def test_volunteer_reads_but_cannot_write(self):
        vol = self.as_user("volunteer")
        for path in self.read_paths():
            with self.subTest(path=path):
                self.assertEqual(vol.get(path).status, 200, path)
        pts = vol.get("/api/v1/households/%d/points" % self.hh).json
        self.assertEqual((pts["balance"], pts["pending"], pts["available"]), (12, 2, 10))
        for method, path, body in self.write_requests():
            with self.subTest(method=method, path=path):
                self.assert_problem(self.send(vol, method, path, body), 403, "auth.forbidden")
        self.assert_problem(vol.post("/api/v1/points/entries/%d/spot-check"
                                     % self.approved[0]["id"], json={"ok": True, "note": "x"}),
                            403, "auth.forbidden")
        self.assert_unchanged()

    def test_admins_and_auditor_get_403_everywhere(self):
        for user in ("auditor", "admin", "security"):
            c = self.as_user(user)
            for path in self.read_paths() + ["/api/v1/points/report?node=hutele"]:
                with self.subTest(user=user, path=path):
                    self.assert_problem(c.get(path), 403, "auth.forbidden")
            # Without ?node the list falls back to the caller's own grants: still none.
            with self.subTest(user=user, path="items without node"):
                self.assert_problem(c.get("/api/v1/points/items"), 403, "auth.forbidden")
            for method, path, body in self.write_requests():
                with self.subTest(user=user, method=method, path=path):
                    self.assert_problem(self.send(c, method, path, body), 403, "auth.forbidden")
            with self.subTest(user=user, path="spot-check"):
                self.assert_problem(c.post("/api/v1/points/entries/%d/spot-check"
                                           % self.approved[0]["id"],
                                           json={"ok": True, "note": "x"}),
                                    403, "auth.forbidden")
        self.assert_unchanged()

    def test_spot_checks_are_for_township_and_county_staff(self):
        e = self.approved[1]["id"]
        self.assert_problem(self.sec.post("/api/v1/points/entries/%d/spot-check" % e,
                                          json={"ok": True, "note": "自查"}),
                            403, "auth.forbidden")
        self.assert_problem(self.as_user("secretary2").post(
            "/api/v1/points/entries/%d/spot-check" % e, json={"ok": True, "note": "x"}),
            403, "auth.forbidden")
        for user, ok in (("town", True), ("county", False)):
            r = self.as_user(user).post("/api/v1/points/entries/%d/spot-check" % e,
                                        json={"ok": ok, "note": "%s 入户核实" % user})
            self.assertEqual(r.status, 201, r)
            self.assertEqual(r.json["id"], e)
        # A spot-check changes no points.
        self.assert_unchanged()

    def test_township_staff_write_in_their_town(self):
        town = self.as_user("town")
        hh = self.new_household(town)["id"]
        r = self.post_entry(town, hh, "s-plus")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["maker"], "town")
        # The village's committee member checks the township's entry.
        a = self.chk.post("/api/v1/points/entries/%d/approve" % r.json["id"])
        self.assertEqual(a.status, 200, a)
        self.assertEqual(self.hh_points(self.as_user("county"), hh)["balance"], 6)
        # secretary2's own village is out of reach for the hutele secretary.
        s2 = self.as_user("secretary2")
        hb = self.new_household(s2, node="bayanhan")["id"]
        self.assert_problem(self.post_entry(self.sec, hb, "s-plus"), 403, "auth.forbidden")
        self.assert_problem(self.sec.get("/api/v1/households/%d/points" % hb), 403,
                            "auth.forbidden")

    def test_goods_of_another_village_are_not_found(self):
        s2 = self.as_user("secretary2")
        g = self.new_goods(s2, price=1, stock=5, node="bayanhan")
        self.assert_problem(self.redeem(self.sec, self.hh, g["id"]), 404,
                            "points.goods_not_found", "goods")
        self.assertEqual(self.goods_by_id(s2, "bayanhan", g["id"])["stock"], 5)


if __name__ == "__main__":
    unittest.main()
