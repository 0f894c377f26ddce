"""The talent pool (银发人才库): volunteers created and changed with validation, listed by
specialty, exported as XLSX; 1+N pairings with households; activities — the monthly donation
day (爱心捐赠日, the 20th) with sign-up and attendance crediting the activity's minutes to the
volunteer's service hours once."""
import unittest

from test_requests_common import RequestsCase, xlsx_members

GOOD = {"node": "hutele", "name": "图雅", "specialties": "education,daily",
        "insurance_until": "2028-06-30"}


class TalentPoolTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.ids = cls.volunteer_ids()

    def create(self, client=None, **changes):
        body = dict(GOOD)
        body.update(changes)
        for k in [k for k, v in body.items() if v is Ellipsis]:
            del body[k]
        return (client or self.as_user("secretary")).post("/api/v1/volunteers", json=body)

    def test_create_and_read(self):
        sec = self.as_user("secretary")
        r = self.create(name="乌兰图雅", phone="13904760001", birth_year=1959, lat=43.9,
                        lon=118.8, max_active=4, no_night=True, health_note="高血压，能骑摩托",
                        available=True, grid_member=True)
        self.assertEqual(r.status, 201, r)
        v = r.json
        self.assertEqual((v["name"], v["phone"], v["birth_year"], v["specialties"], v["lat"],
                          v["lon"], v["max_active"], v["no_night"], v["health_note"],
                          v["insurance_until"], v["available"], v["grid_member"]),
                         ("乌兰图雅", "13904760001", 1959, ["education", "daily"], 43.9, 118.8, 4,
                          True, "高血压，能骑摩托", "2028-06-30", True, True))
        self.assertEqual((v["node"]["code"], v["minutes"], v["active"], v["pairings"],
                          v["households"], v["rating"], v["account"]),
                         ("hutele", 0, 0, 0, [], None, None))
        self.assertEqual(sec.get("/api/v1/volunteers/%d" % v["id"]).json, v)
        # Defaults: 2 active orders at most, available, not a grid member, no place.
        r = self.create(name="默认值", specialties="repair", insurance_until=Ellipsis)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["max_active"], r.json["available"], r.json["grid_member"],
                          r.json["no_night"], r.json["lat"], r.json["insurance_until"]),
                         (2, True, False, False, None, None))
        # Another village's secretary may neither create here nor read.
        self.assert_problem(self.create(self.as_user("secretary2")), 403, "auth.forbidden")
        self.assert_problem(self.as_user("secretary2").get("/api/v1/volunteers/%d" % v["id"]),
                            403, "auth.forbidden")
        self.assert_problem(sec.get("/api/v1/volunteers/999999"), 404, "volunteer.not_found")
        self.assert_problem(sec.get("/api/v1/volunteers/x1"), 400, "request.bad_id")

    def test_a_volunteer_reads_only_their_own_profile(self):
        # Profiles carry full phone numbers and health notes (健康备注): a volunteer account
        # reads its own, not those of the other volunteers of the village.
        vol = self.as_user("volunteer")
        r = vol.get("/api/v1/volunteers/%d" % self.ids["额尔敦"])
        self.assertEqual((r.status, r.json["name"]), (200, "额尔敦"), r)
        for name in ("其其格", "王建国"):
            self.assert_problem(vol.get("/api/v1/volunteers/%d" % self.ids[name]), 403,
                                "auth.forbidden")
        self.assert_problem(vol.get("/api/v1/volunteers/%d" % self.ids["孟和"]), 403,
                            "auth.forbidden")
        self.assert_problem(vol.get("/api/v1/volunteers?node=hutele"), 403, "auth.forbidden")

    def test_create_validation_names_the_field(self):
        cases = [
            (dict(specialties="cooking"), "specialties"),
            (dict(specialties="medicine,cooking"), "specialties"),
            (dict(specialties=""), "specialties"),
            (dict(specialties="medicine,,law"), "specialties"),
            (dict(specialties=Ellipsis), "specialties"),
            (dict(specialties=["medicine"]), "specialties"),
            (dict(insurance_until="2027-02-30"), "insurance_until"),
            (dict(insurance_until="2027/06/30"), "insurance_until"),
            (dict(insurance_until="明年"), "insurance_until"),
            (dict(insurance_until=20270630), "insurance_until"),
            (dict(lat=43.9), "lat"),
            (dict(lon=118.8), "lat"),
            (dict(lat=91, lon=118.8), "lat"),
            (dict(lat=43.9, lon=181), "lat"),
            (dict(lat="43.9", lon=118.8), "lat"),
            (dict(name=Ellipsis), "name"),
            (dict(name="   "), "name"),
            (dict(name="名" * 51), "name"),
            (dict(node=Ellipsis), "node"),
            (dict(phone="call me"), "phone"),
            (dict(birth_year=1900), "birth_year"),
            (dict(birth_year="1950"), "birth_year"),
            (dict(max_active=0), "max_active"),
            (dict(max_active=21), "max_active"),
            (dict(no_night="yes"), "no_night"),
            (dict(available=1), "available"),
        ]
        for changes, field in cases:
            self.assert_problem(self.create(**changes), 400, "request.bad_field", field)
        self.assert_problem(self.create(node="no-such-place"), 404, "org.node_not_found", "node")
        self.assert_problem(self.create(account="nobody-here"), 404, "user.not_found", "account")
        # 额尔敦 holds the account `volunteer` already.
        self.assert_problem(self.create(account="volunteer"), 409, "volunteer.account_taken",
                            "account")

    def test_patch(self):
        sec = self.as_user("secretary")
        v = self.create(name="修改对象", specialties="law").json
        path = "/api/v1/volunteers/%d" % v["id"]
        r = sec.patch(path, json={"specialties": "law,mediation", "max_active": 5,
                                  "insurance_until": "2029-01-31", "available": False,
                                  "no_night": True, "health_note": "膝盖手术后恢复中",
                                  "grid_member": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["specialties"], r.json["max_active"], r.json["insurance_until"],
                          r.json["available"], r.json["no_night"], r.json["health_note"],
                          r.json["grid_member"]),
                         (["law", "mediation"], 5, "2029-01-31", False, True, "膝盖手术后恢复中",
                          True))
        # Only what is given changes.
        r = sec.patch(path, json={"available": True})
        self.assertEqual((r.json["available"], r.json["max_active"], r.json["specialties"]),
                         (True, 5, ["law", "mediation"]))
        for body, field in (({"specialties": "singing"}, "specialties"),
                            ({"insurance_until": "2029-02-29"}, "insurance_until"),
                            ({"lat": 40.0}, "lat"), ({"lat": -91, "lon": 100}, "lat"),
                            ({"max_active": 0}, "max_active"), ({"available": "no"}, "available")):
            self.assert_problem(sec.patch(path, json=body), 400, "request.bad_field", field)
        self.assertEqual(sec.get(path).json["specialties"], ["law", "mediation"])
        self.assert_problem(self.as_user("secretary2").patch(path, json={"available": False}), 403,
                            "auth.forbidden")
        self.assert_problem(self.as_user("volunteer").patch(
            "/api/v1/volunteers/%d" % self.ids["额尔敦"], json={"max_active": 20}), 403,
            "auth.forbidden")
        self.assert_problem(sec.patch("/api/v1/volunteers/999999", json={"available": False}),
                            404, "volunteer.not_found")

    def test_patch_changes_every_field_it_accepts(self):
        # A PATCH that answers 200 must not drop fields it validated: phone, place, name.
        sec = self.as_user("secretary")
        v = self.create(name="搬家的志愿者", specialties="daily", phone="13904760002",
                        lat=43.9, lon=118.8).json
        r = sec.patch("/api/v1/volunteers/%d" % v["id"],
                      json={"phone": "13904760003", "lat": 43.95, "lon": 118.85,
                            "birth_year": 1962, "name": "搬家的志愿者（新）"})
        self.assertEqual(r.status, 200, r)
        got = sec.get("/api/v1/volunteers/%d" % v["id"]).json
        self.assertEqual((got["phone"], got["lat"], got["lon"], got["birth_year"], got["name"]),
                         ("13904760003", 43.95, 118.85, 1962, "搬家的志愿者（新）"))

    def test_list_by_specialty(self):
        sec, town = self.as_user("secretary"), self.as_user("town")
        demo = {"额尔敦", "其其格", "王建国", "孟和", "李秀英", "巴特尔", "萨仁高娃", "图门"}

        def names(client, q, specialty=None):
            r = client.get("/api/v1/volunteers?" + q + ("&specialty=" + specialty
                                                        if specialty else ""))
            self.assertEqual(r.status, 200, r)
            for v in r.json["items"]:
                if specialty:
                    self.assertIn(specialty, v["specialties"], v)
            return {v["name"] for v in r.json["items"]} & demo

        self.assertEqual(names(sec, "node=hutele", "medicine"), {"其其格"})
        self.assertEqual(names(sec, "node=hutele", "daily"), {"额尔敦", "王建国"})
        self.assertEqual(names(town, "node=chaganmulun", "mediation"), {"孟和", "图门"})
        self.assertEqual(names(town, "node=chaganmulun", "medicine"), {"其其格", "萨仁高娃"})
        self.assertEqual(names(town, "node=chaganmulun", "agriculture"), {"额尔敦", "巴特尔", "图门"})
        self.assertEqual(names(sec, "node=hutele", "dai"), set())  # whole codes only
        self.assertEqual(names(sec, "node=hutele"), {"额尔敦", "其其格", "王建国"})
        self.assertEqual(names(town, "node=chaganmulun"), demo)
        self.assert_problem(self.as_user("secretary2").get("/api/v1/volunteers?node=hutele"), 403,
                            "auth.forbidden")
        self.assert_problem(sec.get("/api/v1/volunteers?node=hutele&specialty=" + "x" * 21), 400,
                            "request.bad_query")

    def test_specialty_filter_is_not_a_pattern(self):
        # LIKE wildcards in the query are characters, not patterns.
        sec = self.as_user("secretary")
        for pattern in ("_aily", "%25", "%25aily", "d%25"):
            r = sec.get("/api/v1/volunteers?node=hutele&specialty=" + pattern)
            if r.status == 200:
                self.assertEqual(r.json["items"], [], pattern)
            else:
                self.assert_problem(r, 400, "request.bad_query")

    def test_xlsx_export(self):
        r = self.as_user("secretary").get("/api/v1/volunteers.xlsx?node=hutele")
        self.assertEqual(r.status, 200, r)
        self.assertIn("spreadsheetml", r.headers.get("Content-Type", ""))
        members = xlsx_members(r.raw)
        self.assertIn("xl/worksheets/sheet1.xml", members)
        text = (members.get("xl/sharedStrings.xml", b"") +
                members["xl/worksheets/sheet1.xml"]).decode("utf-8")
        for s in ("姓名", "专长", "保险有效至", "额尔敦", "其其格", "王建国", "agriculture,daily"):
            self.assertIn(s, text)
        self.assertNotIn("孟和", text)
        self.assert_problem(self.as_user("secretary2").get("/api/v1/volunteers.xlsx?node=hutele"),
                            403, "auth.forbidden")

    def test_pairings_one_plus_n(self):
        sec = self.as_user("secretary")
        hh = sec.get("/api/v1/households?node=hutele").json["items"]
        other = self.as_user("secretary2").get("/api/v1/households?node=bayanhan").json["items"]
        v = self.create(name="结对志愿者", specialties="daily").json
        path = "/api/v1/volunteers/%d/pairings" % v["id"]
        for h in hh[:3]:
            r = sec.post(path, json={"household": h["id"]})
            self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["pairings"], 3)
        self.assertEqual([p["id"] for p in r.json["households"]], sorted(h["id"] for h in hh[:3]))
        self.assertEqual({p["code"] for p in r.json["households"]}, {h["code"] for h in hh[:3]})
        self.assert_problem(sec.post(path, json={"household": hh[0]["id"]}), 409,
                            "volunteer.already_paired", "household")
        self.assert_problem(sec.post(path, json={"household": 99999999}), 404,
                            "household.not_found", "household")
        self.assert_problem(sec.post(path, json={"household": other[0]["id"]}), 404,
                            "household.not_found", "household")
        self.assert_problem(sec.post(path, json={"household": "hutele-1"}), 400,
                            "request.bad_field", "household")
        self.assert_problem(sec.post(path, json={}), 400, "request.bad_field", "household")
        self.assert_problem(self.as_user("secretary2").post(path,
                                                            json={"household": other[0]["id"]}),
                            403, "auth.forbidden")
        self.assert_problem(sec.post("/api/v1/volunteers/999999/pairings",
                                     json={"household": hh[0]["id"]}), 404, "volunteer.not_found")
        got = sec.get("/api/v1/volunteers/%d" % v["id"]).json
        self.assertEqual((got["pairings"], len(got["households"])), (3, 3))
        # One household may be paired with several volunteers.
        w = self.create(name="第二位结对志愿者", specialties="daily").json
        r = sec.post("/api/v1/volunteers/%d/pairings" % w["id"], json={"household": hh[0]["id"]})
        self.assertEqual(r.status, 201, r)


class ActivitiesTest(RequestsCase):
    @classmethod
    def prepare(cls):
        super().prepare()
        cls.ids = cls.volunteer_ids()
        r = cls.as_user("town").get("/api/v1/activities?node=chaganmulun")
        assert r.status == 200, r
        cls.donation = next(a for a in r.json["items"] if a["name"] == "爱心捐赠日")

    def minutes(self, vid):
        return self.volunteer(vid)["minutes"]

    def test_the_donation_day(self):
        self.assertEqual((self.donation["day_of_month"], self.donation["minutes"],
                          self.donation["node"]["code"]), (20, 120, "chaganmulun"))

    def test_signup_only_on_the_20th_and_attendance_credits_once(self):
        vol, town = self.as_user("volunteer"), self.as_user("town")
        erdun = self.ids["额尔敦"]
        aid = self.donation["id"]
        path = "/api/v1/activities/%d/signups" % aid
        r = vol.post(path, json={"day": "2026-12-20"})
        self.assertEqual(r.status, 201, r)
        mine = [s for s in r.json["signups"] if s["volunteer"]["id"] == erdun]
        self.assertEqual([(s["day"], s["attended"]) for s in mine], [("2026-12-20", False)])
        sid = mine[0]["id"]
        for day in ("2026-12-21", "2026-12-19", "2027-01-02"):
            self.assert_problem(vol.post(path, json={"day": day}), 409, "request_order.bad_state")
        self.assert_problem(vol.post(path, json={"day": "2026-12-20"}), 409,
                            "activity.already_signed_up", "day")
        self.assertEqual(vol.post(path, json={"day": "2027-01-20"}).status, 201)
        for bad in ("2026-12-32", "20261220", "", 20):
            self.assert_problem(vol.post(path, json={"day": bad}), 400, "request.bad_field", "day")
        self.assert_problem(vol.post("/api/v1/activities/999999/signups",
                                     json={"day": "2026-12-20"}),
                            404, "activity.not_found")

        before = self.minutes(erdun)
        r = town.post("/api/v1/activities/%d/signups/%d/attend" % (aid, sid))
        self.assertEqual(r.status, 200, r)
        self.assertIs(next(s for s in r.json["signups"] if s["id"] == sid)["attended"], True)
        self.assertEqual(self.minutes(erdun), before + 120)
        self.assertEqual(vol.get("/api/v1/me/orders").json["volunteer"]["minutes"], before + 120)
        self.assert_problem(town.post("/api/v1/activities/%d/signups/%d/attend" % (aid, sid)), 409,
                            "request_order.bad_state")
        self.assertEqual(self.minutes(erdun), before + 120)
        # Attendance is recorded by the township that runs it, not by a village or volunteer.
        r2 = vol.post(path, json={"day": "2027-02-20"})
        sid2 = next(s["id"] for s in r2.json["signups"] if s["day"] == "2027-02-20")
        for who in ("volunteer", "secretary"):
            self.assert_problem(self.as_user(who).post(
                "/api/v1/activities/%d/signups/%d/attend" % (aid, sid2)), 403, "auth.forbidden")
        self.assert_problem(town.post("/api/v1/activities/%d/signups/999999/attend" % aid), 404,
                            "activity.not_found")
        self.assert_problem(town.post("/api/v1/activities/%d/signups/abc/attend" % aid), 400,
                            "request.bad_id")
        self.assertEqual(self.minutes(erdun), before + 120)
        self.assert_check_passes()

    def test_staff_sign_volunteers_up(self):
        town = self.as_user("town")
        aid = self.donation["id"]
        r = town.post("/api/v1/activities/%d/signups" % aid,
                      json={"day": "2026-12-20", "volunteer": self.ids["孟和"]})
        self.assertEqual(r.status, 201, r)
        r = town.post("/api/v1/activities/%d/signups" % aid,
                      json={"day": "2026-12-20", "volunteer": 999999})
        self.assert_problem(r, 404, "volunteer.not_found")
        # secretary2 (巴彦汉) may not sign up a volunteer of 呼特勒.
        r = self.as_user("secretary2").post("/api/v1/activities/%d/signups" % aid,
                                            json={"day": "2026-12-20",
                                                  "volunteer": self.ids["其其格"]})
        self.assert_problem(r, 403, "auth.forbidden")

    def test_village_activity_without_a_fixed_day(self):
        sec = self.as_user("secretary")
        r = sec.post("/api/v1/activities", json={"node": "hutele", "name": "敬老院打扫",
                                                  "minutes": 90, "description": "不定期"})
        self.assertEqual(r.status, 201, r)
        aid = r.json["id"]
        listed = sec.get("/api/v1/activities?node=hutele").json["items"]
        a = next(x for x in listed if x["id"] == aid)
        self.assertEqual((a["day_of_month"], a["minutes"], a["name"]), (None, 90, "敬老院打扫"))
        # Any day will do; a volunteer of another village may not join.
        r = self.as_user("volunteer").post("/api/v1/activities/%d/signups" % aid,
                                           json={"day": "2026-12-03"})
        self.assertEqual(r.status, 201, r)
        c, v = self.volunteer_account("act-bayanhan", "巴彦汉志愿者", "daily", node="bayanhan")
        self.assert_problem(c.post("/api/v1/activities/%d/signups" % aid,
                                   json={"day": "2026-12-03"}), 403, "auth.forbidden")
        for body, field in (({"node": "hutele", "name": "x", "minutes": 0}, "minutes"),
                            ({"node": "hutele", "name": "x", "minutes": 1441}, "minutes"),
                            ({"node": "hutele", "name": "x"}, "minutes"),
                            ({"node": "hutele", "name": " ", "minutes": 60}, "name"),
                            ({"node": "hutele", "minutes": 60}, "name"),
                            ({"node": "hutele", "name": "x", "minutes": 60, "day_of_month": 29},
                             "day_of_month"),
                            ({"node": "hutele", "name": "x", "minutes": 60, "day_of_month": 0},
                             "day_of_month")):
            self.assert_problem(sec.post("/api/v1/activities", json=body), 400,
                                "request.bad_field", field)
        self.assert_problem(self.as_user("volunteer").post(
            "/api/v1/activities", json={"node": "hutele", "name": "x", "minutes": 60}), 403,
            "auth.forbidden")

    def test_volunteers_see_the_activities_they_can_join(self):
        # 额尔敦 may sign up for the township's donation day, so his list shows it.
        r = self.as_user("volunteer").get("/api/v1/activities")
        self.assertEqual(r.status, 200, r)
        self.assertIn(self.donation["id"], [a["id"] for a in r.json["items"]])


if __name__ == "__main__":
    unittest.main()
