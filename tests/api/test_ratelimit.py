"""Per-IP sign-in rate limit (default --login-rate 60: a burst of 60, then one a second):
the 61st quick attempt is 429 rate.limited; tokens come back as time passes."""
import unittest

from harness import ServerTestCase, DEMO_PASSWORD


class LoginRateLimitTest(ServerTestCase):
    def test_61st_attempt_in_a_minute_is_429_then_time_refills(self):
        srv = type(self).server
        c = self.new_client()
        # Cheap attempts (refused before any password hashing) still take a token.
        statuses = [c.post("/api/v1/session", json={}).status for _ in range(60)]
        self.assertEqual(statuses, [400] * 60)
        self.assert_problem(c.post("/api/v1/session", json={}), 429, "rate.limited")
        self.assert_problem(c.login("secretary"), 429, "rate.limited")
        # X-Real-IP is not trusted by default: it does not open a new bucket.
        r = c.post("/api/v1/session", json={}, headers={"X-Real-IP": "198.51.100.7"})
        self.assert_problem(r, 429, "rate.limited")
        # Other routes are not limited.
        self.assertEqual(c.get("/healthz").status, 200)
        srv.advance(1500)  # one token back
        self.assertEqual(c.login("secretary").status, 200)
        # Empty again at once (the real time an argon2 check takes may have added a token or
        # two: a slow sanitizer build hashes for most of a second).
        statuses = [self.new_client().post("/api/v1/session", json={}).status for _ in range(4)]
        self.assertIn(429, statuses)
        self.assertEqual(statuses[statuses.index(429):], [429] * (4 - statuses.index(429)))
        # An existing session is not affected.
        self.assertEqual(c.get("/api/v1/me").status, 200)
        srv.advance_minutes(1.1)  # the whole burst back
        for _ in range(3):
            self.assertEqual(self.new_client().login("secretary").status, 200)


class TrustProxyTest(ServerTestCase):
    """With --trust-proxy 1 (behind nginx on loopback) the client address is X-Real-IP: in
    the audit log and for the sign-in rate limit."""
    serve_args = ("--trust-proxy", "1", "--login-rate", "3")

    def test_x_real_ip_is_the_client_address(self):
        c = self.new_client()
        r = c.login("secretary", "Wrong@2026")
        r = self.new_client().post("/api/v1/session", json={"username": "county",
                                                             "password": "Wrong@2026"},
                                   headers={"X-Real-IP": "203.0.113.9"})
        self.assert_problem(r, 401, "auth.bad_credentials")
        r = self.new_client().post("/api/v1/session", json={"username": "town",
                                                             "password": "Wrong@2026"},
                                   headers={"X-Real-IP": "not-an-address"})
        self.assert_problem(r, 401, "auth.bad_credentials")
        for _ in range(3):
            self.new_client().post("/api/v1/session", json={},
                                   headers={"X-Real-IP": "203.0.113.50"})
        r = self.new_client().post("/api/v1/session", json={},
                                   headers={"X-Real-IP": "203.0.113.50"})
        self.assert_problem(r, 429, "rate.limited")
        # Another client address has its own bucket.
        auditor = self.new_client()
        r = auditor.post("/api/v1/session", json={"username": "auditor", "password": DEMO_PASSWORD},
                         headers={"X-Real-IP": "203.0.113.51"})
        self.assertEqual(r.status, 200, r)
        auditor.csrf = r.json["csrf_token"]
        items = auditor.get("/api/v1/audit?action=session.login&limit=20").json["items"]
        ips = {e["user"]: e["ip"] for e in items}
        self.assertEqual(ips["county"], "203.0.113.9")
        self.assertEqual(ips["town"], "127.0.0.1")
        self.assertEqual(ips["secretary"], "127.0.0.1")
        self.assertEqual(ips["auditor"], "203.0.113.51")


if __name__ == "__main__":
    unittest.main()
