"""A household disputes a points entry during 公示 from the phone, without an account."""

import uuid

from harness import ServerTestCase


class PublicObjectionTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        sec, chk = cls.as_user("secretary"), cls.as_user("committee")
        r = sec.post("/api/v1/households", json={"node": "hutele", "head_name": "异议户",
                                                 "members": 2, "phone": "13912345678"})
        assert r.status == 201, r
        cls.household = r.json
        r = sec.post("/api/v1/points/entries", json={
            "household": cls.household["id"], "item": "GX01", "note": "志愿服务",
            "idempotency_key": str(uuid.uuid4())})
        assert r.status == 201, r
        cls.entry = r.json["id"]
        # Decide everything pending in the period, then close and publish it.
        for e in sec.get("/api/v1/points/entries?node=hutele&status=pending").json["items"]:
            who = chk if e["maker"] != "committee" else sec
            assert who.post("/api/v1/points/entries/%d/approve" % e["id"]).status == 200
        period = r.json["period_id"]
        assert sec.post("/api/v1/points/periods/%d/close" % period).status == 200
        assert sec.post("/api/v1/points/periods/%d/publish" % period).status == 200
        cls.period = period

    def objection(self, **over):
        body = {"household": self.household["code"], "phone_last4": "5678",
                "entry": self.entry, "text": "我家那天没有参加志愿服务，分数记错了"}
        body.update(over)
        return self.new_client().post("/api/v1/public/points/objections", json=body)

    def test_wrong_phone_digits_are_refused(self):
        self.assert_problem(self.objection(phone_last4="0000"), 403, "points.not_verified",
                            "phone_last4")
        self.assert_problem(self.objection(phone_last4="56a8"), 400, "request.bad_field",
                            "phone_last4")

    def test_only_the_households_own_entries(self):
        other = self.login("secretary").get("/api/v1/points/entries?node=hutele&status=approved")
        foreign = next(e["id"] for e in other.json["items"]
                       if e["household"]["id"] != self.household["id"])
        self.assert_problem(self.objection(entry=foreign), 404, "points.not_found")
        self.assert_problem(self.objection(household="no-such-code"), 404,
                            "household.not_found", "household")

    def test_objection_is_recorded_and_blocks_the_seal_until_decided(self):
        r = self.objection()
        self.assertEqual(r.status, 201, r)
        sec = self.login("secretary")
        listed = sec.get("/api/v1/points/objections?node=hutele&period=%d" % self.period)
        ours = [o for o in listed.json["items"] if o["id"] == r.json["id"]]
        self.assertEqual(len(ours), 1)
        self.assertEqual(ours[0]["status"], "open")
        self.assertEqual(ours[0]["household"]["code"], self.household["code"])
        self.server.advance(8 * 86400000)
        sec = self.login("secretary")  # the clock jump ended the idle session
        self.assert_problem(sec.post("/api/v1/points/periods/%d/seal" % self.period), 409,
                            "points.bad_state")
        # After the display ends a household can no longer object.
        self.assert_problem(self.objection(), 409, "points.bad_state")
        d = sec.post("/api/v1/points/objections/%d/decide" % r.json["id"],
                     json={"uphold": True, "decision": "核实无误，予以更正"})
        self.assertEqual(d.status, 200, d)
        self.assertIsNotNone(d.json["reversal_id"])
        pts = sec.get("/api/v1/households/%d/points" % self.household["id"]).json
        self.assertEqual(pts["balance"], 0)
        s = sec.post("/api/v1/points/periods/%d/seal" % self.period)
        self.assertEqual(s.status, 200, s)
        self.assertRegex(s.json["seal_hash"], r"^[0-9a-f]{64}$")
