"""Graceful shutdown: on SIGTERM the server stops accepting, finishes the requests in
flight (their answers reach the client), and exits 0 within 10 s. (Every other class checks
the exit status too, when the harness stops its server.)"""
import http.client
import json
import socket
import threading
import time
import unittest

from harness import ServerTestCase, DEMO_PASSWORD


class GracefulShutdownTest(ServerTestCase):
    def test_a_request_in_flight_at_sigterm_gets_its_answer(self):
        srv = type(self).server
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=20)
        # A first request on the connection, so the server has surely accepted it.
        conn.request("GET", "/healthz")
        first = conn.getresponse()
        first.read()
        self.assertEqual(first.status, 200)
        out = {}

        def sign_in():
            try:
                body = json.dumps({"username": "secretary", "password": DEMO_PASSWORD})
                conn.request("POST", "/api/v1/session", body=body,
                             headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                out["status"] = resp.status
                out["body"] = resp.read()
            except Exception as e:  # noqa: BLE001 — reported below
                out["error"] = repr(e)

        t = threading.Thread(target=sign_in)
        t.start()
        time.sleep(0.03)  # the sign-in is now hashing the password (argon2id)
        srv.stop()  # SIGTERM; asserts exit status 0 within 10 s
        t.join(20)
        conn.close()
        self.assertNotIn("error", out, "the sign-in in flight at SIGTERM got no answer: %s\n%s"
                         % (out.get("error"), srv.log_tail(8)))
        self.assertEqual(out["status"], 200, out)
        self.assertIn(b"csrf_token", out["body"])
        # And the port is closed now.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


if __name__ == "__main__":
    unittest.main()
