"""TOTP (RFC 6238) enrolment and sign-in with a one-time code, including replay refusal."""
import re
import unittest
import urllib.parse

from harness import ServerTestCase, totp_code


class TotpTest(ServerTestCase):
    def wrong_code(self, secret, now):
        near = {totp_code(secret, now, k) for k in range(-2, 3)}
        for candidate in ("000000", "111111", "123456", "999999", "424242"):
            if candidate not in near:
                return candidate
        self.fail("no wrong code found")

    def test_enrol_confirm_then_login_needs_the_code_and_refuses_replay(self):
        srv = type(self).server
        c = self.login("county")
        r = c.post("/api/v1/me/totp")
        self.assertEqual(r.status, 200, r)
        secret = r.json["secret"]
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")
        uri = urllib.parse.urlsplit(r.json["uri"])
        self.assertEqual((uri.scheme, uri.netloc), ("otpauth", "totp"))
        self.assertEqual(urllib.parse.unquote(uri.path), "/Tala:county")
        q = urllib.parse.parse_qs(uri.query)
        self.assertEqual(q["secret"], [secret])
        self.assertEqual(q["issuer"], ["Tala"])
        # Not enrolled until confirmed: a wrong code is refused.
        now = srv.now()
        r = c.post("/api/v1/me/totp/confirm", json={"totp": self.wrong_code(secret, now)})
        self.assert_problem(r, 401, "auth.totp_invalid", "totp")
        self.assertIs(c.get("/api/v1/me").json["user"]["totp"], False)
        r = c.post("/api/v1/me/totp/confirm", json={"totp": totp_code(secret, srv.now())})
        self.assertEqual(r.status, 204, r)
        self.assertIs(c.get("/api/v1/me").json["user"]["totp"], True)
        # Nothing pending any more.
        r = c.post("/api/v1/me/totp/confirm", json={"totp": totp_code(secret, srv.now())})
        self.assert_problem(r, 409, "auth.totp_not_pending")
        self.assertEqual(c.logout().status, 204)

        # The right password alone now asks for the code.
        r = self.new_client().login("county")
        self.assert_problem(r, 401, "auth.totp_required")
        # A wrong password with a code is still just bad credentials.
        r = self.new_client().login("county", "Wrong@2026", totp_code(secret, srv.now()))
        self.assert_problem(r, 401, "auth.bad_credentials")
        r = self.new_client().login("county", totp=self.wrong_code(secret, srv.now()))
        self.assert_problem(r, 401, "auth.totp_invalid")
        # The confirming code's time step is used up: move to the next step.
        now = srv.advance(30000)
        code = totp_code(secret, now)
        c2 = self.new_client()
        r = c2.login("county", totp=code)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["user"]["totp"], True)
        self.assertEqual(c2.get("/api/v1/me").status, 200)
        # Replaying the same code is refused.
        r = self.new_client().login("county", totp=code)
        self.assert_problem(r, 401, "auth.totp_invalid")

    def test_malformed_codes_are_refused(self):
        c = self.login("town")
        secret = c.post("/api/v1/me/totp").json["secret"]
        r = c.post("/api/v1/me/totp/confirm", json={"totp": "12345"})
        self.assert_problem(r, 401, "auth.totp_invalid", "totp")
        r = c.post("/api/v1/me/totp/confirm", json={"totp": "1234567"})
        self.assert_problem(r, 400, "request.bad_field", "totp")
        r = c.post("/api/v1/me/totp/confirm", json={"totp": 123456})
        self.assert_problem(r, 400, "request.bad_field", "totp")
        self.assertIs(c.get("/api/v1/me").json["user"]["totp"], False)
        # Still pending: the right code confirms.
        r = c.post("/api/v1/me/totp/confirm",
                   json={"totp": totp_code(secret, type(self).server.now())})
        self.assertEqual(r.status, 204, r)

    def test_confirm_without_enrolment_is_409(self):
        c = self.login("volunteer")
        r = c.post("/api/v1/me/totp/confirm", json={"totp": "123456"})
        self.assert_problem(r, 409, "auth.totp_not_pending")


if __name__ == "__main__":
    unittest.main()
