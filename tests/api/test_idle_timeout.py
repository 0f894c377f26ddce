"""Sessions end after 30 minutes without a request; each request extends them."""
import unittest

from harness import ServerTestCase


class IdleTimeoutTest(ServerTestCase):
    def test_session_expires_after_31_idle_minutes(self):
        c = self.login("secretary")
        self.assertEqual(c.get("/api/v1/me").status, 200)
        type(self).server.advance_minutes(31)
        self.assert_problem(c.get("/api/v1/me"), 401, "auth.required")
        # A state-changing request with the dead cookie is refused as signed out too.
        r = c.post("/api/v1/people", json={"node": "hutele", "name": "过期"})
        self.assert_problem(r, 401, "auth.required")
        # Signing in again works.
        self.assertEqual(self.new_client().login("secretary").status, 200)

    def test_activity_extends_the_session(self):
        c = self.login("volunteer")
        type(self).server.advance_minutes(20)
        self.assertEqual(c.get("/api/v1/me").status, 200)
        type(self).server.advance_minutes(20)  # 40 minutes after login, 20 after the request
        r = c.get("/api/v1/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["username"], "volunteer")
        type(self).server.advance_minutes(29)
        self.assertEqual(c.get("/api/v1/me").status, 200)
        type(self).server.advance_minutes(31)
        self.assert_problem(c.get("/api/v1/me"), 401, "auth.required")


if __name__ == "__main__":
    unittest.main()
