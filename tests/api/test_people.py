"""People and households: who sees what (scope by org subtree, masked ID-card numbers and
phones), the audited full ID-card number, and creating people and households."""
import re
import unittest

from harness import ServerTestCase, ID_MASK_RE, PHONE_MASK_RE, id_number

FULL_PHONE_RE = re.compile(r"^1\d{10}$")
HUTELE_SUBTREE = ("hutele", "hutele-1", "hutele-2")


class PeopleScopeTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("secretary")
        cls.sec2 = cls.as_user("secretary2")
        cls.vol = cls.as_user("volunteer")
        r = cls.sec.get("/api/v1/people?node=hutele")
        assert r.status == 200, r
        cls.hutele_people = r.json["items"]
        r = cls.sec2.get("/api/v1/people?node=bayanhan")
        assert r.status == 200, r
        cls.bayanhan_people = r.json["items"]
        cls.demo_ids = {p["id"] for p in cls.hutele_people}

    def test_secretary_lists_people_of_their_village_masked_ids_full_phones(self):
        items = self.sec.get("/api/v1/people?node=hutele").json["items"]
        self.assertGreater(len(items), 5)
        phones = 0
        for p in items:
            self.assertIn(p["node"]["code"], HUTELE_SUBTREE)
            if p["id"] in self.demo_ids:
                self.assertRegex(p["id_number"], ID_MASK_RE)
                self.assertTrue(p["id_number"].startswith("1504"), p)
                self.assertIn(p["gender"], ("m", "f"))
            if p["phone"] is not None:
                phones += 1
                self.assertRegex(p["phone"], FULL_PHONE_RE)
            self.assertIsInstance(p["is_party_member"], bool)
            self.assertEqual(set(p), {"id", "name", "gender", "birth_date", "id_number", "phone",
                                      "household_id", "relation", "is_party_member", "node"})
        self.assertGreater(phones, 0)
        # Without ?node the list is the user's own area.
        self.assertEqual(self.sec.get("/api/v1/people").json["items"], items)

    def test_secretary_gets_403_outside_their_village(self):
        self.assert_problem(self.sec.get("/api/v1/people?node=bayanhan"), 403, "auth.forbidden")
        self.assert_problem(self.sec.get("/api/v1/households?node=bayanhan"), 403,
                            "auth.forbidden")
        self.assert_problem(self.sec.get("/api/v1/people?node=chaganmulun"), 403,
                            "auth.forbidden")
        pid = self.bayanhan_people[0]["id"]
        for path in ("/api/v1/people/%d" % pid, "/api/v1/people/%d/id-number" % pid,
                     "/api/v1/households/%d" % self.bayanhan_people[0]["household_id"]):
            r = self.sec.get(path)
            self.assertIn(r.status, (403, 404), r)
            self.assert_problem(r, r.status, "auth.forbidden" if r.status == 403 else
                                ("household.not_found" if "households" in path
                                 else "person.not_found"))

    def test_secretary2_is_the_mirror_image(self):
        for p in self.bayanhan_people:
            self.assertEqual(p["node"]["code"], "bayanhan")
            self.assertRegex(p["id_number"], ID_MASK_RE)
        self.assert_problem(self.sec2.get("/api/v1/people?node=hutele"), 403, "auth.forbidden")
        r = self.sec2.get("/api/v1/people/%d" % self.hutele_people[0]["id"])
        self.assertIn(r.status, (403, 404), r)
        ids_a = {p["id"] for p in self.hutele_people}
        ids_b = {p["id"] for p in self.bayanhan_people}
        self.assertFalse(ids_a & ids_b)

    def test_township_and_county_staff_see_the_villages_below(self):
        town = self.as_user("town")
        r = town.get("/api/v1/people?node=chaganmulun")
        self.assertEqual(r.status, 200, r)
        codes = {p["node"]["code"] for p in r.json["items"]}
        self.assertTrue({"hutele", "bayanhan"} <= codes, codes)
        self.assertEqual(town.get("/api/v1/people/%d" % self.hutele_people[0]["id"]).status, 200)
        self.assert_problem(town.get("/api/v1/people?node=daban"), 403, "auth.forbidden")
        county = self.as_user("county")
        self.assertEqual(county.get("/api/v1/people?node=daban").status, 200)

    def test_volunteer_sees_masked_phones_and_cannot_read_id_numbers(self):
        r = self.vol.get("/api/v1/people?node=hutele")
        self.assertEqual(r.status, 200, r)
        staff_view = self.sec.get("/api/v1/people?node=hutele").json["items"]
        self.assertEqual([p["id"] for p in r.json["items"]], [p["id"] for p in staff_view])
        masked = 0
        for p in r.json["items"]:
            self.assertTrue(p["id_number"] is None or ID_MASK_RE.match(p["id_number"]), p)
            if p["phone"] is not None:
                masked += 1
                self.assertRegex(p["phone"], PHONE_MASK_RE)
        self.assertGreater(masked, 0)
        full = {p["id"]: p["phone"] for p in staff_view}
        for p in r.json["items"]:
            if p["phone"]:
                f = full[p["id"]]
                self.assertEqual(p["phone"], f[:3] + "****" + f[-4:])
        one = self.vol.get("/api/v1/people/%d" % self.hutele_people[0]["id"])
        self.assertEqual(one.status, 200, one)
        self.assertRegex(one.json["phone"], PHONE_MASK_RE)
        self.assert_problem(self.vol.get("/api/v1/people/%d/id-number" % self.hutele_people[0]["id"]),
                            403, "auth.forbidden")
        self.assert_problem(self.vol.post("/api/v1/people", json={"node": "hutele", "name": "x"}),
                            403, "auth.forbidden")

    def test_admin_security_auditor_see_no_personal_data(self):
        pid = self.hutele_people[0]["id"]
        for who in ("admin", "security", "auditor"):
            c = self.as_user(who)
            self.assert_problem(c.get("/api/v1/people"), 403, "auth.forbidden")
            self.assert_problem(c.get("/api/v1/people?node=hutele"), 403, "auth.forbidden")
            self.assert_problem(c.get("/api/v1/households?node=hutele"), 403, "auth.forbidden")
            self.assert_problem(c.get("/api/v1/people/%d" % pid), 403, "auth.forbidden")
            self.assert_problem(c.get("/api/v1/people/%d/id-number" % pid), 403, "auth.forbidden")

    def test_full_id_number_is_shown_and_audited(self):
        p = self.hutele_people[0]
        r = self.sec.get("/api/v1/people/%d/id-number" % p["id"])
        self.assertEqual(r.status, 200, r)
        full = r.json["id_number"]
        self.assertEqual(set(r.json), {"id_number"})
        self.assertRegex(full, r"^\d{17}[\dX]$")
        self.assertEqual(full[:4] + "**********" + full[14:], p["id_number"])
        self.assertEqual(id_number(full[6:14], int(full[14:17]), full[:6]), full)
        self.assertEqual(full[6:10] + "-" + full[10:12] + "-" + full[12:14], p["birth_date"])
        a = self.as_user("auditor").get("/api/v1/audit?action=person.read_id_number&user=secretary")
        self.assertEqual(a.status, 200, a)
        entries = [e for e in a.json["items"] if e["object"] == "person:%d" % p["id"]]
        self.assertGreaterEqual(len(entries), 1, a.json)
        e = entries[0]
        self.assertEqual(e["user"], "secretary")
        self.assertEqual(e["action"], "person.read_id_number")
        self.assertEqual(e["result"], "ok")
        self.assertEqual(e["ip"], "127.0.0.1")
        self.assertEqual(e["node"]["code"], "hutele")

    def test_list_households_of_the_village(self):
        r = self.sec.get("/api/v1/households?node=hutele")
        self.assertEqual(r.status, 200, r)
        self.assertGreater(len(r.json["items"]), 0)
        for h in r.json["items"]:
            self.assertIn(h["node"]["code"], HUTELE_SUBTREE)
            self.assertIsInstance(h["members"], int)
        h = r.json["items"][0]
        one = self.sec.get("/api/v1/households/%d" % h["id"])
        self.assertEqual(one.status, 200, one)
        self.assertEqual(one.json["head_name"], h["head_name"])
        self.assertTrue(all(p["household_id"] == h["id"] for p in one.json["people"]))
        self.assertIn(h["head_name"], [p["name"] for p in one.json["people"]])

    def test_create_household_contract_node_head_name_members(self):
        r = self.sec.post("/api/v1/households",
                          json={"node": "hutele", "head_name": "哈斯", "members": 4})
        self.assertEqual(r.status, 201, r)
        self.assertIsInstance(r.json["id"], int)
        self.assertEqual(r.json["head_name"], "哈斯")
        self.assertEqual(r.json["members"], 4)
        self.assertEqual(r.json["node"]["code"], "hutele")
        self.assertTrue(r.json["code"])
        got = self.sec.get("/api/v1/households/%d" % r.json["id"])
        self.assertEqual(got.status, 200, got)
        self.assertEqual(got.json["members"], 4)
        self.assertEqual(got.json["people"], [])
        listed = self.sec.get("/api/v1/households?node=hutele").json["items"]
        self.assertIn(r.json["id"], [h["id"] for h in listed])

    def test_create_household_without_phone_has_null_phone(self):
        r = self.sec.post("/api/v1/households",
                          json={"node": "hutele", "head_name": "无电话户", "members": 1})
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.json["phone"], "a household created without a phone must have "
                          "phone null, got %r" % r.json["phone"])

    def test_create_household_keeps_its_phone_and_address(self):
        r = self.sec.post("/api/v1/households", json={
            "node": "hutele", "head_name": "有电话户", "members": 2, "phone": "13812345678",
            "address": "呼特勒嘎查 99 号"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["address"], "呼特勒嘎查 99 号")
        self.assertEqual(r.json["phone"], "13812345678")
        got = self.sec.get("/api/v1/households/%d" % r.json["id"]).json
        self.assertEqual(got["phone"], "13812345678")
        vol = self.vol.get("/api/v1/households/%d" % r.json["id"]).json
        self.assertEqual(vol["phone"], "138****5678")

    def test_create_household_with_a_list_of_people(self):
        members = [
            {"name": "巴特尔", "gender": "m", "birth_date": "1975-03-04",
             "id_number": id_number("19750304", 511), "phone": "13900000001", "relation": "户主",
             "is_party_member": True},
            {"name": "其其格", "gender": "f", "id_number": id_number("19780506", 522),
             "relation": "配偶"},
            {"name": "小巴特尔", "relation": "子女"},
        ]
        r = self.sec.post("/api/v1/households",
                          json={"node": "hutele-1", "head_name": "巴特尔", "members": members})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["members"], 3)
        self.assertEqual(r.json["node"]["code"], "hutele-1")
        got = self.sec.get("/api/v1/households/%d" % r.json["id"]).json
        people = {p["name"]: p for p in got["people"]}
        self.assertEqual(set(people), {"巴特尔", "其其格", "小巴特尔"})
        head = people["巴特尔"]
        self.assertEqual(head["gender"], "m")
        self.assertEqual(head["birth_date"], "1975-03-04")
        self.assertEqual(head["phone"], "13900000001")
        self.assertEqual(head["relation"], "户主")
        self.assertIs(head["is_party_member"], True)
        self.assertEqual(head["household_id"], r.json["id"])
        self.assertEqual(head["id_number"], members[0]["id_number"][:4] + "*" * 10 +
                         members[0]["id_number"][14:])
        self.assertIsNone(people["小巴特尔"]["id_number"])
        self.assertIsNone(people["小巴特尔"]["gender"])
        full = self.sec.get("/api/v1/people/%d/id-number" % head["id"]).json["id_number"]
        self.assertEqual(full, members[0]["id_number"])
        # A person without an ID-card number has none to show.
        r = self.sec.get("/api/v1/people/%d/id-number" % people["小巴特尔"]["id"])
        self.assert_problem(r, 404, "person.not_found")

    def test_bad_household_members(self):
        base = {"node": "hutele", "head_name": "坏户"}
        for members, field in ((0, "members"), (100, "members"), ([], "members"),
                               ("three", "members"), ([{"gender": "m"}], "members[0].name"),
                               (["x"], "members[0]"),
                               ([{"name": "a", "id_number": "150423199001011235"}],
                                "members[0].id_number")):
            r = self.sec.post("/api/v1/households", json=dict(base, members=members))
            code = ("person.bad_id_number" if field.endswith("id_number") else
                    "request.bad_field")
            self.assert_problem(r, 400, code, field)

    def test_create_person(self):
        households = self.sec.get("/api/v1/households?node=hutele").json["items"]
        hid = households[0]["id"]
        idn = id_number("19880808", 733)
        r = self.sec.post("/api/v1/people", json={
            "node": "hutele", "name": "新人", "household": hid, "gender": "f",
            "birth_date": "1988-08-08", "id_number": idn, "phone": "13700001111",
            "relation": "子女", "is_party_member": False})
        self.assertEqual(r.status, 201, r)
        p = r.json
        self.assertEqual((p["name"], p["gender"], p["household_id"], p["phone"]),
                         ("新人", "f", hid, "13700001111"))
        self.assertEqual(p["id_number"], idn[:4] + "**********" + idn[14:])
        self.assertEqual(p["node"]["code"], "hutele")
        self.assertEqual(self.sec.get("/api/v1/people/%d" % p["id"]).json, p)

    def test_invalid_id_number_is_400(self):
        good = id_number("19900101", 101)
        bad_check = good[:17] + ("0" if good[17] != "0" else "1")
        for bad in (bad_check, good[:17], good + "1", "15042319901301" + good[14:],
                    "abcdefghijklmnopqr"):
            r = self.sec.post("/api/v1/people",
                              json={"node": "hutele", "name": "错号", "id_number": bad})
            if len(bad) > 18:
                self.assert_problem(r, 400, "request.bad_field", "id_number")
            else:
                self.assert_problem(r, 400, "person.bad_id_number", "id_number")

    def test_id_number_with_an_impossible_birth_date_is_400(self):
        """GB 11643: positions 7–14 are the birth date; 30 February does not exist."""
        for birth in ("19900230", "19900431", "19000229"):
            idn = id_number(birth, 5)
            r = self.sec.post("/api/v1/people",
                              json={"node": "hutele", "name": "无此日", "id_number": idn})
            self.assert_problem(r, 400, "person.bad_id_number", "id_number")

    def test_birth_date_must_be_a_real_date(self):
        for bad in ("yesterday", "2024-13-45", "1990-02-30", "19900101", "1990/01/01"):
            r = self.sec.post("/api/v1/people",
                              json={"node": "hutele", "name": "生日", "birth_date": bad})
            self.assert_problem(r, 400, "request.bad_field", "birth_date")
        r = self.sec.post("/api/v1/people",
                          json={"node": "hutele", "name": "生日", "birth_date": "2000-02-29"})
        self.assertEqual(r.status, 201, r)

    def test_duplicate_id_number_is_409(self):
        idn = id_number("19650405", 444)
        r = self.sec.post("/api/v1/people", json={"node": "hutele", "name": "甲", "id_number": idn})
        self.assertEqual(r.status, 201, r)
        r = self.sec.post("/api/v1/people", json={"node": "hutele", "name": "乙", "id_number": idn})
        self.assert_problem(r, 409, "person.id_number_exists", "id_number")
        # Across villages too (secretary2 cannot see the first one, but the number is taken).
        r = self.sec2.post("/api/v1/people",
                           json={"node": "bayanhan", "name": "丙", "id_number": idn})
        self.assert_problem(r, 409, "person.id_number_exists", "id_number")
        # A demo person's number (read in full) is taken as well.
        full = self.sec.get("/api/v1/people/%d/id-number" % self.hutele_people[1]["id"]).json
        r = self.sec.post("/api/v1/people",
                          json={"node": "hutele", "name": "丁", "id_number": full["id_number"]})
        self.assert_problem(r, 409, "person.id_number_exists", "id_number")

    def test_duplicate_id_number_with_lowercase_x(self):
        seq = 0
        while True:
            idn = id_number("19720202", 600 + seq)
            if idn.endswith("X"):
                break
            seq += 1
        r = self.sec.post("/api/v1/people", json={"node": "hutele", "name": "X1", "id_number": idn})
        self.assertEqual(r.status, 201, r)
        r = self.sec.post("/api/v1/people",
                          json={"node": "hutele", "name": "X2", "id_number": idn[:17] + "x"})
        self.assert_problem(r, 409, "person.id_number_exists", "id_number")

    def test_household_with_a_duplicate_member_is_not_created(self):
        idn = id_number("19690909", 777)
        before = len(self.sec.get("/api/v1/households?node=hutele").json["items"])
        r = self.sec.post("/api/v1/households", json={
            "node": "hutele", "head_name": "双胞", "members": [
                {"name": "一", "id_number": idn}, {"name": "二", "id_number": idn}]})
        self.assert_problem(r, 409, "person.id_number_exists", "id_number")
        after = len(self.sec.get("/api/v1/households?node=hutele").json["items"])
        self.assertEqual(after, before)

    def test_secretary_cannot_create_outside_their_village(self):
        r = self.sec.post("/api/v1/people", json={"node": "bayanhan", "name": "越界"})
        self.assert_problem(r, 403, "auth.forbidden")
        r = self.sec.post("/api/v1/households",
                          json={"node": "bayanhan", "head_name": "越界", "members": 1})
        self.assert_problem(r, 403, "auth.forbidden")
        # Nor attach a person to a household of another village.
        hid = self.bayanhan_people[0]["household_id"]
        r = self.sec.post("/api/v1/people", json={"node": "hutele", "name": "越界", "household": hid})
        self.assert_problem(r, 404, "household.not_found", "household")

    def test_unknown_ids_are_404(self):
        self.assert_problem(self.sec.get("/api/v1/people/999999"), 404, "person.not_found")
        self.assert_problem(self.sec.get("/api/v1/people/999999/id-number"), 404,
                            "person.not_found")
        self.assert_problem(self.sec.get("/api/v1/households/999999"), 404,
                            "household.not_found")
        self.assert_problem(self.sec.get("/api/v1/people?node=nowhere"), 404,
                            "org.node_not_found", "node")

    def test_search_by_name(self):
        name = self.hutele_people[3]["name"]
        r = self.sec.get("/api/v1/people?node=hutele&q=" + __import__("urllib.parse").parse.quote(name))
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["items"])
        self.assertTrue(all(name in p["name"] for p in r.json["items"]))



class HouseholdCodeTest(ServerTestCase):
    """Household codes, on a server of their own (a collision here must not spill into the
    other people tests)."""

    def test_household_codes(self):
        """A chosen code is unique (409); a generated code (node code + "-" + id) must not
        collide with a chosen one: creating without a code keeps working."""
        sec = self.login("secretary")
        r = sec.post("/api/v1/households",
                     json={"node": "hutele", "head_name": "定号", "members": 1,
                           "code": "HT-0001"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["code"], "HT-0001")
        r = sec.post("/api/v1/households",
                     json={"node": "hutele", "head_name": "重号", "members": 1,
                           "code": "HT-0001"})
        self.assert_problem(r, 409, "household.code_exists", "code")
        r = sec.post("/api/v1/households",
                     json={"node": "hutele", "head_name": "坏号", "members": 1,
                           "code": "no spaces"})
        self.assert_problem(r, 400, "request.bad_field", "code")
        # Take the code the next generated one would get.
        probe = sec.post("/api/v1/households",
                         json={"node": "hutele", "head_name": "探号", "members": 1})
        self.assertEqual(probe.status, 201, probe)
        self.assertEqual(probe.json["code"], "hutele-%d" % probe.json["id"])
        squat = "hutele-%d" % (probe.json["id"] + 2)
        r = sec.post("/api/v1/households",
                     json={"node": "hutele", "head_name": "占号", "members": 1, "code": squat})
        self.assertEqual(r.status, 201, r)
        codes = set()
        for i in range(3):
            r = sec.post("/api/v1/households",
                         json={"node": "hutele", "head_name": "后来户%d" % i, "members": 1})
            self.assertEqual(r.status, 201, "household #%d without a code after %s was taken: %r"
                             % (i, squat, r))
            codes.add(r.json["code"])
        self.assertEqual(len(codes), 3)
        self.assertNotIn(squat, codes)


if __name__ == "__main__":
    unittest.main()
