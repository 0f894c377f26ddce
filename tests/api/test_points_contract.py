"""Points (积分制) API contract: entries from creation through maker-checker approval to a
reversal, idempotent retries, and versioned scoring items."""
import unittest

from test_points_common import PointsCase


class PointsEntryContractTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("pcheck")

    def test_entry_lifecycle_idempotency_maker_checker_and_reversal(self):
        sec, chk = self.sec, self.chk
        r = sec.post("/api/v1/households", json={"node": "hutele", "head_name": "乌力吉",
                                                 "members": 3})
        self.assertEqual(r.status, 201, r)
        hh = r.json["id"]
        self.assertIsInstance(hh, int)
        self.assertEqual(r.json["members"], 3)

        r = sec.post("/api/v1/points/items", json={"node": "hutele", "code": "c-clean",
                                                   "name": "庭院整洁", "points": 10})
        self.assertEqual(r.status, 201, r)
        item = r.json
        self.assertEqual((item["code"], item["version"], item["points"], item["current"],
                          item["category"], item["evidence_required"]),
                         ("c-clean", 1, 10, True, "基础", False))

        body = {"household": hh, "item": item["id"], "note": "院落干净整齐",
                "idempotency_key": "contract-key-0001"}
        r = sec.post("/api/v1/points/entries", json=body)
        self.assertEqual(r.status, 201, r)
        e = r.json
        eid = e["id"]
        self.assertEqual(e["status"], "pending")
        self.assertEqual(e["points"], 10)
        self.assertEqual(e["household"]["id"], hh)
        self.assertEqual(e["household"]["head_name"], "乌力吉")
        self.assertEqual(e["item"], {"id": item["id"], "code": "c-clean", "name": "庭院整洁"})
        self.assertEqual(e["note"], "院落干净整齐")
        self.assertEqual(e["maker"], "secretary")
        self.assertIsNone(e["checker"])
        self.assertIsNone(e["reverses"])
        self.assertIsNone(e["reversed_by"])
        self.assertIsNone(e["decided_at"])
        self.assertIsInstance(e["period_id"], int)

        # The same key and body again (an offline phone syncing twice): 200, the same entry.
        r = sec.post("/api/v1/points/entries", json=body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], eid)
        self.assertEqual(r.json["status"], "pending")
        # The same key with another body: 409.
        other = dict(body, note="另一条")
        self.assert_problem(sec.post("/api/v1/points/entries", json=other), 409,
                            "points.idempotency_conflict", "idempotency_key")
        # Only one entry exists for the household.
        pts = self.hh_points(sec, hh)
        self.assertEqual([x["id"] for x in pts["entries"]], [eid])

        # Pending points do not count yet.
        self.assertEqual((pts["household"], pts["balance"], pts["pending"], pts["available"]),
                         (hh, 0, 0, 0))

        # Maker ≠ checker.
        self.assert_problem(sec.post("/api/v1/points/entries/%d/approve" % eid), 403,
                            "points.maker_checker")
        self.assertEqual(self.hh_points(sec, hh)["balance"], 0)
        r = chk.post("/api/v1/points/entries/%d/approve" % eid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "approved")
        self.assertEqual(r.json["checker"], "pcheck")
        self.assertIsInstance(r.json["decided_at"], int)
        pts = self.hh_points(sec, hh)
        self.assertEqual((pts["balance"], pts["pending"], pts["available"]), (10, 0, 10))
        # Approving twice: 409.
        self.assert_problem(chk.post("/api/v1/points/entries/%d/approve" % eid), 409,
                            "points.bad_state")
        self.assert_problem(chk.post("/api/v1/points/entries/%d/reject" % eid,
                                     json={"reason": "晚了"}), 409, "points.bad_state")
        # A retry of the original request after the approval still answers the same entry.
        r = sec.post("/api/v1/points/entries", json=body)
        self.assertEqual((r.status, r.json["id"], r.json["status"]), (200, eid, "approved"))

        # Reverse.
        r = sec.post("/api/v1/points/entries/%d/reverse" % eid, json={"reason": "重复录入"})
        self.assertEqual(r.status, 201, r)
        rev = r.json
        self.assertNotEqual(rev["id"], eid)
        self.assertEqual(rev["points"], -10)
        self.assertEqual(rev["reverses"], eid)
        self.assertEqual(rev["status"], "approved")
        self.assertEqual(rev["reason"], "重复录入")
        self.assertEqual(rev["household"]["id"], hh)
        # Reversing twice, or reversing the reversal: 409.
        self.assert_problem(sec.post("/api/v1/points/entries/%d/reverse" % eid,
                                     json={"reason": "again"}), 409, "points.already_reversed")
        self.assert_problem(sec.post("/api/v1/points/entries/%d/reverse" % rev["id"],
                                     json={"reason": "undo"}), 409, "points.bad_state")

        pts = self.hh_points(sec, hh)
        self.assertEqual((pts["balance"], pts["pending"], pts["available"]), (0, 0, 0))
        by_id = {x["id"]: x for x in pts["entries"]}
        self.assertEqual(set(by_id), {eid, rev["id"]})
        self.assertEqual(by_id[eid]["status"], "approved")
        self.assertEqual(by_id[eid]["reversed_by"], rev["id"])
        self.assertEqual(by_id[rev["id"]]["reverses"], eid)
        self.assertEqual(by_id[rev["id"]]["points"], -10)
        self.assertIsNone(by_id[rev["id"]]["reversed_by"])
        # Listed in the village's entries too, filtered by household.
        r = sec.get("/api/v1/points/entries?node=hutele&household=%d" % hh)
        self.assertEqual(r.status, 200, r)
        self.assertEqual({x["id"] for x in r.json["items"]}, {eid, rev["id"]})
        self.assert_check_passes()

    def test_idempotency_covers_the_whole_body(self):
        # Notes and evidence may be 500 characters each (1500 bytes of Chinese): a retry
        # whose body differs anywhere, even at the end of a long note, is another request.
        sec = self.sec
        hh = self.new_household(sec)["id"]
        self.new_item(sec, "c-long", 2)
        body = {"household": hh, "item": "c-long", "note": "记" * 500, "evidence": "照片A",
                "idempotency_key": "contract-long-0001"}
        r = sec.post("/api/v1/points/entries", json=body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(sec.post("/api/v1/points/entries", json=body).status, 200)
        for name, other in (("last character of the note", dict(body, note="记" * 499 + "错")),
                            ("evidence", dict(body, evidence="另一份佐证")),
                            ("short note", dict(body, note="记" * 499))):
            with self.subTest(differs=name):
                self.assert_problem(sec.post("/api/v1/points/entries", json=other), 409,
                                    "points.idempotency_conflict", "idempotency_key")
        entries = self.hh_points(sec, hh)["entries"]
        self.assertEqual([(e["id"], e["evidence"]) for e in entries], [(r.json["id"], "照片A")])

    def test_a_household_in_a_group_uses_its_villages_items_by_code(self):
        # Households may be registered on a 小组 (group) node under the village; the item
        # reference "a code of the household's village" must work for them as for the rest.
        sec, chk = self.sec, self.chk
        item = self.new_item(sec, "c-group", 6)
        h = self.new_household(sec, node="hutele-1")
        self.assertEqual(h["node"]["code"], "hutele-1")
        by_id = self.post_entry(sec, h["id"], item["id"])
        self.assertEqual(by_id.status, 201, by_id)
        by_code = self.post_entry(sec, h["id"], "c-group")
        self.assertEqual(by_code.status, 201, by_code)
        self.assertEqual((by_code.json["item"]["id"], by_code.json["points"]), (item["id"], 6))
        self.assertEqual(by_code.json["period_id"], by_id.json["period_id"])
        for r in (by_id, by_code):
            self.assertEqual(chk.post("/api/v1/points/entries/%d/approve" % r.json["id"]).status,
                             200)
        self.assertEqual(self.hh_points(sec, h["id"])["balance"], 12)

    def test_reject_keeps_points_out_and_pending_filter(self):
        sec, chk = self.sec, self.chk
        hh = self.new_household(sec)["id"]
        item = self.new_item(sec, "c-meet", 3)
        e1 = self.post_entry(sec, hh, "c-meet").json  # by code
        e2 = self.post_entry(sec, hh, item["id"]).json  # by id
        self.assertEqual((e1["points"], e1["item"]["id"]), (3, item["id"]))
        r = sec.get("/api/v1/points/entries?node=hutele&status=pending&household=%d" % hh)
        self.assertEqual({x["id"] for x in r.json["items"]}, {e1["id"], e2["id"]})
        r = chk.post("/api/v1/points/entries/%d/reject" % e1["id"], json={"reason": "无佐证"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "rejected")
        self.assertEqual(r.json["checker"], "pcheck")
        self.assert_problem(sec.post("/api/v1/points/entries/%d/reverse" % e1["id"],
                                     json={"reason": "x"}), 409, "points.bad_state")
        self.assert_problem(sec.post("/api/v1/points/entries/%d/reverse" % e2["id"],
                                     json={"reason": "x"}), 409, "points.bad_state")
        self.assertEqual(chk.post("/api/v1/points/entries/%d/approve" % e2["id"]).status, 200)
        pts = self.hh_points(sec, hh)
        self.assertEqual((pts["balance"], pts["pending"], pts["available"]), (3, 0, 3))
        r = sec.get("/api/v1/points/entries?node=hutele&status=pending&household=%d" % hh)
        self.assertEqual(r.json["items"], [])

    def test_a_deduction_cannot_take_a_household_below_zero(self):
        sec, chk = self.sec, self.chk
        hh = self.new_household(sec)["id"]
        self.new_item(sec, "c-plus4", 4)
        self.new_item(sec, "c-minus5", -5)
        self.earn(sec, chk, hh, "c-plus4")
        e = self.post_entry(sec, hh, "c-minus5").json
        self.assertEqual(e["points"], -5)
        self.assert_problem(chk.post("/api/v1/points/entries/%d/approve" % e["id"]), 409,
                            "points.insufficient")
        self.assertEqual(self.hh_points(sec, hh)["balance"], 4)
        self.earn(sec, chk, hh, "c-plus4")
        r = chk.post("/api/v1/points/entries/%d/approve" % e["id"])
        self.assertEqual(r.status, 200, r)
        pts = self.hh_points(sec, hh)
        self.assertEqual((pts["balance"], pts["available"]), (3, 3))

    def test_evidence_required_items(self):
        sec = self.sec
        hh = self.new_household(sec)["id"]
        self.new_item(sec, "c-donate", 10, evidence_required=True)
        self.assert_problem(self.post_entry(sec, hh, "c-donate"), 400,
                            "points.evidence_required", "evidence")
        self.assert_problem(self.post_entry(sec, hh, "c-donate", evidence=""), 400,
                            "points.evidence_required", "evidence")
        r = self.post_entry(sec, hh, "c-donate", evidence="收据 No.2026-118")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["evidence"], "收据 No.2026-118")


class PointsItemsTest(PointsCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.chk = cls.add_user("icheck")

    def items(self, all_versions=False, code=None):
        r = self.sec.get("/api/v1/points/items?node=hutele" + ("&all=1" if all_versions else ""))
        self.assertEqual(r.status, 200, r)
        return [i for i in r.json["items"] if code is None or i["code"] == code]

    def test_revision_makes_a_new_version_and_keeps_the_old(self):
        sec, chk = self.sec, self.chk
        v1 = self.new_item(sec, "v-help", 5, category="贡献", decision="2026年第1次村民大会")
        self.assertEqual((v1["version"], v1["points"], v1["category"], v1["decision"]),
                         (1, 5, "贡献", "2026年第1次村民大会"))
        hh = self.new_household(sec)["id"]
        early = self.post_entry(sec, hh, "v-help").json  # made under version 1

        r = sec.put("/api/v1/points/items/%d" % v1["id"],
                    json={"decision": "2026年第2次村民代表会议", "points": 8, "name": "帮扶邻里"})
        self.assertEqual(r.status, 201, r)
        v2 = r.json
        self.assertNotEqual(v2["id"], v1["id"])
        self.assertEqual((v2["code"], v2["version"], v2["points"], v2["name"], v2["category"],
                          v2["current"], v2["decision"]),
                         ("v-help", 2, 8, "帮扶邻里", "贡献", True, "2026年第2次村民代表会议"))

        current = self.items(code="v-help")
        self.assertEqual([(i["id"], i["version"], i["current"]) for i in current],
                         [(v2["id"], 2, True)])
        every = self.items(all_versions=True, code="v-help")
        self.assertEqual(sorted((i["id"], i["version"], i["current"], i["points"]) for i in every),
                         sorted([(v1["id"], 1, False, 5), (v2["id"], 2, True, 8)]))
        for i in every:
            self.assertEqual(i["node"]["code"], "hutele")
            self.assertIsInstance(i["created_at"], int)

        # New entries use version 2, by code or by the new id; the old id is no longer usable.
        by_code = self.post_entry(sec, hh, "v-help").json
        self.assertEqual((by_code["points"], by_code["item"]["id"]), (8, v2["id"]))
        by_id = self.post_entry(sec, hh, v2["id"]).json
        self.assertEqual(by_id["points"], 8)
        self.assert_problem(self.post_entry(sec, hh, v1["id"]), 404, "points.item_not_found",
                            "item")
        # The entry made under version 1 keeps its 5 points.
        self.assertEqual(early["points"], 5)
        for e in (early, by_code, by_id):
            self.assertEqual(chk.post("/api/v1/points/entries/%d/approve" % e["id"]).status, 200)
        self.assertEqual(self.hh_points(sec, hh)["balance"], 5 + 8 + 8)

        # Only the current version can be revised.
        self.assert_problem(sec.put("/api/v1/points/items/%d" % v1["id"],
                                    json={"decision": "再改", "points": 9}), 409,
                            "points.bad_state")
        r = sec.put("/api/v1/points/items/%d" % v2["id"], json={"decision": "第3次会议"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["version"], r.json["points"], r.json["name"]), (3, 8, "帮扶邻里"))
        self.assertEqual(len(self.items(all_versions=True, code="v-help")), 3)

    def test_revise_needs_a_decision(self):
        it = self.new_item(self.sec, "v-nodec", 2)
        self.assert_problem(self.sec.put("/api/v1/points/items/%d" % it["id"],
                                         json={"points": 4}), 400, "request.bad_field",
                            "decision")
        self.assert_problem(self.sec.put("/api/v1/points/items/%d" % it["id"],
                                         json={"points": 4, "decision": ""}), 400,
                            "request.bad_field", "decision")
        self.assertEqual([i["version"] for i in self.items(all_versions=True, code="v-nodec")],
                         [1])

    def test_a_code_in_use_is_refused(self):
        self.new_item(self.sec, "v-dup", 2)
        self.assert_problem(self.sec.post("/api/v1/points/items", json={
            "node": "hutele", "code": "v-dup", "name": "again", "points": 3}), 409,
            "points.exists")
        # Still refused after a revision (the code stays current under version 2).
        v1 = self.items(code="v-dup")[0]
        self.assertEqual(self.sec.put("/api/v1/points/items/%d" % v1["id"],
                                      json={"decision": "改"}).status, 201)
        self.assert_problem(self.sec.post("/api/v1/points/items", json={
            "node": "hutele", "code": "v-dup", "name": "again", "points": 3}), 409,
            "points.exists")
        # The same code in another village is fine.
        r = self.as_user("secretary2").post("/api/v1/points/items", json={
            "node": "bayanhan", "code": "v-dup", "name": "巴彦汉的", "points": 3})
        self.assertEqual(r.status, 201, r)

    def test_items_belong_to_a_village(self):
        town = self.as_user("town")
        self.assert_problem(town.post("/api/v1/points/items", json={
            "node": "chaganmulun", "code": "v-town", "name": "苏木级", "points": 3}), 400,
            "request.bad_field", "node")
        self.assert_problem(self.as_user("county").post("/api/v1/points/items", json={
            "node": "balinyouqi", "code": "v-county", "name": "旗级", "points": 3}), 400,
            "request.bad_field", "node")
        # Township staff can adopt an item for a village of their town.
        r = town.post("/api/v1/points/items", json={"node": "hutele", "code": "v-bytown",
                                                    "name": "苏木代录", "points": 3})
        self.assertEqual(r.status, 201, r)

    def test_an_item_of_another_village_is_not_usable(self):
        s2 = self.as_user("secretary2")
        r = s2.post("/api/v1/points/items", json={"node": "bayanhan", "code": "v-bay",
                                                  "name": "巴彦汉", "points": 3})
        self.assertEqual(r.status, 201, r)
        hh = self.new_household(self.sec)["id"]
        self.assert_problem(self.post_entry(self.sec, hh, r.json["id"]), 404,
                            "points.item_not_found", "item")
        self.assert_problem(self.post_entry(self.sec, hh, "v-bay"), 404,
                            "points.item_not_found", "item")

    def test_an_all_digit_item_code_is_usable_by_code(self):
        # Codes may be all digits (org_code_valid allows it; village schemes often number
        # their items, 101, 102…). An item accepted with such a code must be reachable by it.
        r = self.sec.post("/api/v1/points/items", json={"node": "hutele", "code": "9001",
                                                        "name": "编号项目", "points": 7})
        if r.status == 400:
            self.assert_problem(r, 400, "request.bad_field", "code")  # refusing them is fine
            return
        self.assertEqual(r.status, 201, r)
        hh = self.new_household(self.sec)["id"]
        e = self.post_entry(self.sec, hh, "9001")
        self.assertEqual(e.status, 201, e)
        self.assertEqual((e.json["item"]["code"], e.json["points"]), ("9001", 7))


if __name__ == "__main__":
    unittest.main()
