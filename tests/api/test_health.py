"""GET /healthz reports the backend in use, the version and the live streams' rooms in
memory."""
import re
import unittest

import harness
from harness import ServerTestCase


class HealthTest(ServerTestCase):
    def test_healthz_reports_ok_backend_and_version(self):
        r = self.new_client().get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"), r.headers)
        self.assertEqual(set(r.json), {"status", "db", "version", "live_rooms"})
        self.assertEqual(r.json["status"], "ok")
        self.assertIsInstance(r.json["live_rooms"], int)
        self.assertGreaterEqual(r.json["live_rooms"], 0)
        self.assertEqual(r.json["db"], harness.backend())
        self.assertRegex(r.json["version"], r"^\d+\.\d+\.\d+")

    def test_healthz_version_matches_tala_version(self):
        p = harness.run_tala(["version"])
        self.assertEqual(p.returncode, 0, p.stderr)
        version = self.new_client().get("/healthz").json["version"]
        self.assertIn(version, p.stdout)

    def test_healthz_needs_no_session_and_is_not_cached(self):
        r = self.new_client().get("/healthz")
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")


class TestClockOffByDefaultTest(ServerTestCase):
    """Without TALA_TEST_CLOCK=1 the test clock endpoint does not exist."""
    test_clock = False

    def test_test_clock_endpoint_is_404(self):
        r = self.new_client().post("/api/v1/test/clock", json={"advance_ms": 86400000})
        self.assert_problem(r, 404, "request.not_found")
        admin = self.login("admin")
        r = admin.post("/api/v1/test/clock", json={"advance_ms": 0})
        self.assert_problem(r, 404, "request.not_found")


if __name__ == "__main__":
    unittest.main()
