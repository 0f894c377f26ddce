"""Password policy (length, character classes, not the username) on account creation and on
changing one's own password."""
import unittest

from harness import ServerTestCase

STRONG = "Grass-Land7"
NEWER = "Steppe#2027x"


class PasswordPolicyTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("security")

    def create(self, username, password):
        return self.sec.post("/api/v1/users", json={
            "username": username, "display_name": "测试 " + username, "password": password,
            "role": "volunteer", "node": "hutele"})

    def test_security_admin_creating_a_user_with_a_weak_password_is_400(self):
        for weak in ("abc", "Ab1!", "alllowercase", "ALLUPPER123", "12345678901",
                     "Pw-weakuser1", ""):
            r = self.create("weakuser", weak)
            self.assert_problem(r, 400, "auth.weak_password", "password")
        # Nothing was created.
        names = [u["username"] for u in self.sec.get("/api/v1/users").json["items"]]
        self.assertNotIn("weakuser", names)

    def test_a_strong_password_is_accepted(self):
        r = self.create("stronguser", STRONG)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.new_client().login("stronguser", STRONG).status, 200)

    def test_change_own_password(self):
        self.assertEqual(self.create("pwchanger", STRONG).status, 201)
        c = self.login("pwchanger", STRONG)
        elsewhere = self.login("pwchanger", STRONG)
        r = c.post("/api/v1/me/password", json={"old_password": "Not-It-99", "new_password": NEWER})
        self.assert_problem(r, 401, "auth.bad_credentials", "old_password")
        r = c.post("/api/v1/me/password", json={"old_password": STRONG, "new_password": "short"})
        self.assert_problem(r, 400, "auth.weak_password", "new_password")
        r = c.post("/api/v1/me/password", json={"old_password": STRONG, "new_password": STRONG})
        self.assert_problem(r, 400, "auth.weak_password", "new_password")
        r = c.post("/api/v1/me/password",
                   json={"old_password": STRONG, "new_password": "Xpwchanger9!"})
        self.assert_problem(r, 400, "auth.weak_password", "new_password")
        r = c.post("/api/v1/me/password", json={"old_password": STRONG})
        self.assert_problem(r, 400, "request.bad_field", "new_password")
        # The old password still works after the refusals.
        self.assertEqual(self.new_client().login("pwchanger", STRONG).status, 200)
        r = c.post("/api/v1/me/password", json={"old_password": STRONG, "new_password": NEWER})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        # The changing session goes on; the account's other sessions are ended.
        self.assertEqual(c.get("/api/v1/me").status, 200)
        self.assert_problem(elsewhere.get("/api/v1/me"), 401, "auth.required")
        self.assertEqual(self.new_client().login("pwchanger", NEWER).status, 200)
        self.assert_problem(self.new_client().login("pwchanger", STRONG), 401,
                            "auth.bad_credentials")

    def test_change_password_needs_a_session(self):
        r = self.new_client().post("/api/v1/me/password",
                                   json={"old_password": STRONG, "new_password": NEWER})
        self.assert_problem(r, 401, "auth.required")


class PasswordExpiryTest(ServerTestCase):
    """After 90 days (--password-max-age) a password has expired: the account may sign in,
    read /me and change its password, and nothing else until it does."""

    def test_expired_password_must_be_changed_first(self):
        type(self).server.advance(91 * 86400000)
        c = self.new_client()
        r = c.login("secretary")
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["user"]["password_expired"], True)
        self.assert_problem(c.get("/api/v1/people?node=hutele"), 403, "auth.password_expired")
        self.assert_problem(c.get("/api/v1/org/nodes"), 403, "auth.password_expired")
        self.assertEqual(c.get("/api/v1/me").status, 200)
        r = c.post("/api/v1/me/password", json={"old_password": "Tala@2026",
                                                 "new_password": NEWER})
        self.assertEqual(r.status, 204, r)
        self.assertIs(c.get("/api/v1/me").json["user"]["password_expired"], False)
        self.assertEqual(c.get("/api/v1/people?node=hutele").status, 200)
        self.assertEqual(c.logout().status, 204)


class TotpForStaffTest(ServerTestCase):
    """With --totp-staff 1 a staff account without TOTP may only enrol (and see /me, change
    its password, sign out) until it has enrolled; volunteers are not staff."""
    serve_args = ("--totp-staff", "1")

    def test_staff_must_enrol_before_anything_else(self):
        from harness import totp_code
        c = self.login("secretary")
        self.assert_problem(c.get("/api/v1/people?node=hutele"), 403,
                            "auth.totp_enrolment_required")
        self.assert_problem(c.get("/api/v1/org/nodes"), 403, "auth.totp_enrolment_required")
        self.assertEqual(c.get("/api/v1/me").status, 200)
        secret = c.post("/api/v1/me/totp").json["secret"]
        r = c.post("/api/v1/me/totp/confirm",
                   json={"totp": totp_code(secret, type(self).server.now())})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(c.get("/api/v1/people?node=hutele").status, 200)

    def test_volunteers_are_not_held(self):
        c = self.login("volunteer")
        self.assertEqual(c.get("/api/v1/people?node=hutele").status, 200)


if __name__ == "__main__":
    unittest.main()
