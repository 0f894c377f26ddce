"""Signing in and out: the session cookie, the CSRF token, and the answers for bad
credentials."""
import re
import unittest

from harness import ServerTestCase, DEMO_PASSWORD


class SessionTest(ServerTestCase):
    def test_login_returns_user_roles_csrf_token_and_a_strict_httponly_cookie(self):
        c = self.new_client()
        r = c.login("secretary")
        self.assertEqual(r.status, 200, r)
        user = r.json["user"]
        self.assertEqual(user["username"], "secretary")
        self.assertEqual(user["display_name"], "呼特勒嘎查 巴特尔书记")
        self.assertIs(user["totp"], False)
        self.assertIsInstance(user["id"], int)
        self.assertEqual(len(user["roles"]), 1)
        role = user["roles"][0]
        self.assertEqual(role["role"], "branch_secretary")
        self.assertEqual(role["node"]["code"], "hutele")
        self.assertEqual(role["node"]["level"], "village")
        self.assertEqual(role["node"]["name"], "呼特勒嘎查")
        self.assertRegex(r.json["csrf_token"], r"^[0-9a-f]{16,}$")
        cookies = [v for v in r.headers.get_all("Set-Cookie") if v.startswith("tala_session=")]
        self.assertEqual(len(cookies), 1, cookies)
        attrs = [a.strip().lower() for a in cookies[0].split(";")]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        self.assertIn("path=/", attrs)
        self.assertRegex(cookies[0], r"^tala_session=[0-9a-f]{64};")
        # The session works, and /me repeats the same user and token.
        me = c.get("/api/v1/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["user"]["username"], "secretary")
        self.assertEqual(me.json["user"]["roles"], user["roles"])
        self.assertEqual(me.json["csrf_token"], r.json["csrf_token"])

    def test_each_login_gets_its_own_session_and_csrf_token(self):
        a = self.login("volunteer")
        b = self.login("volunteer")
        self.assertNotEqual(a.cookie, b.cookie)
        self.assertNotEqual(a.csrf, b.csrf)

    def test_wrong_password_is_401_bad_credentials_without_cookie(self):
        c = self.new_client()
        r = c.login("secretary", "Wrong@2026")
        self.assert_problem(r, 401, "auth.bad_credentials")
        self.assertIsNone(c.cookie)
        self.assertNotIn("user", r.json)

    def test_unknown_user_is_401_with_the_same_code(self):
        r = self.new_client().login("nosuchuser", DEMO_PASSWORD)
        body = self.assert_problem(r, 401, "auth.bad_credentials")
        wrong = self.new_client().login("county", "Wrong@2026").json
        # Indistinguishable from a wrong password (no user enumeration).
        self.assertEqual(body, wrong)

    def test_login_needs_username_and_password(self):
        c = self.new_client()
        self.assert_problem(c.post("/api/v1/session", json={"username": "admin"}), 400,
                            "request.bad_field", "password")
        self.assert_problem(c.post("/api/v1/session", json={"password": DEMO_PASSWORD}), 400,
                            "request.bad_field", "username")

    def test_me_without_cookie_is_401_auth_required(self):
        self.assert_problem(self.new_client().get("/api/v1/me"), 401, "auth.required")

    def test_me_with_a_forged_cookie_is_401(self):
        c = self.new_client()
        c.cookie = "0" * 64
        self.assert_problem(c.get("/api/v1/me"), 401, "auth.required")
        c.cookie = "not-a-token"
        self.assert_problem(c.get("/api/v1/me"), 401, "auth.required")

    def test_logout_is_204_clears_the_cookie_and_ends_the_session(self):
        c = self.login("town")
        token = c.cookie
        r = c.logout()
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.raw, b"")
        cleared = [v for v in r.headers.get_all("Set-Cookie") or [] if v.startswith("tala_session=")]
        self.assertEqual(len(cleared), 1)
        self.assertRegex(cleared[0], r"^tala_session=;")
        self.assertIn("max-age=0", cleared[0].lower())
        self.assert_problem(c.get("/api/v1/me"), 401, "auth.required")
        # The old token is dead on the server too, not only forgotten by this client.
        old = self.new_client()
        old.cookie = token
        self.assert_problem(old.get("/api/v1/me"), 401, "auth.required")

    def test_logout_without_session_is_401(self):
        self.assert_problem(self.new_client().delete("/api/v1/session"), 401, "auth.required")


if __name__ == "__main__":
    unittest.main()
