"""Connections: the server's own listening socket and accept thread. A port in use or an
address not on this machine is a clear error and exit status 1; --per-ip-connections still
caps one address's open connections (MHD counts connections handed to it by the accept
thread as it counted those it accepted itself); many keep-alive connections opened at once
are all served, also when exactly as many become ready at once as libmicrohttpd's epoll
loop takes in one round (a stall in libmicrohttpd 0.9.75 that server.c works around)."""
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
import unittest

from harness import ServerTestCase, Server, child_env, tala_bin


def get(conn, path="/healthz"):
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    return r.status


def read_reply(s):
    """A reply's head (and whatever came with it) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


class ListenErrorsTest(unittest.TestCase):
    def serve(self, listen):
        srv = Server("ListenErrorsTest")
        try:
            srv.create_db()
            return subprocess.run(
                [tala_bin(), "serve", "--db", srv.db.url, "--listen", listen, "--web", srv.web]
                + srv.db.key_args(), capture_output=True, text=True, timeout=60,
                env=child_env(), cwd=srv.tmpdir)
        finally:
            srv.cleanup()

    def test_a_port_in_use_is_named(self):
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        try:
            port = holder.getsockname()[1]
            out = self.serve("127.0.0.1:%d" % port)
        finally:
            holder.close()
        self.assertEqual(out.returncode, 1, out.stderr[-500:])
        self.assertIn("cannot listen on 127.0.0.1:%d: the port is in use" % port, out.stderr)

    def test_an_address_not_on_this_machine_is_named(self):
        out = self.serve("192.0.2.1:8080")  # TEST-NET-1: never assigned to a host
        self.assertEqual(out.returncode, 1, out.stderr[-500:])
        self.assertIn("not an address of this machine", out.stderr)

    def test_a_bad_listen_value_is_refused(self):
        out = self.serve("no-port-here")
        self.assertEqual(out.returncode, 1, out.stderr[-500:])
        self.assertIn("--listen must be IPv4ADDR:PORT", out.stderr)


class PerAddressCapTest(ServerTestCase):
    serve_args = ("--per-ip-connections", "3")

    def test_the_fourth_connection_from_one_address_is_closed(self):
        port = type(self).server.port
        held = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(3)]
        try:
            for c in held:
                self.assertEqual(get(c), 200)
            extra = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
                get(extra)
            extra.close()
            # The three it holds still work, and a slot frees when one closes.
            self.assertEqual(get(held[0]), 200)
            held.pop().close()
            again = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            for _ in range(50):  # the server sees the close a moment later
                try:
                    self.assertEqual(get(again), 200)
                    break
                except (ConnectionError, http.client.HTTPException, OSError):
                    again.close()
                    again = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    threading.Event().wait(0.05)
            else:
                self.fail("a closed connection's slot was never freed")
            held.append(again)
        finally:
            for c in held:
                c.close()


class ManyConnectionsTest(ServerTestCase):
    def test_two_hundred_connections_opened_at_once_are_all_served(self):
        port = type(self).server.port
        conns = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(200)]
        try:
            for s in conns:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            for s in conns:
                data = read_reply(s)
                self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:80])
        finally:
            for s in conns:
                s.close()


class FullEpollRoundTest(ServerTestCase):
    """128 keep-alive connections on one worker, all sending while the server is stopped:
    on SIGCONT its epoll_wait returns exactly 128 events, libmicrohttpd's MAX_EVENTS, and
    without the workaround the worker waited again before answering any (until the
    30 s connection timeout here)."""
    serve_args = ("--threads", "1")

    def test_a_full_round_of_ready_connections_is_answered_at_once(self):
        srv = type(self).server
        request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        conns = [socket.create_connection(("127.0.0.1", srv.port), timeout=10)
                 for _ in range(128)]
        try:
            for s in conns:  # each accepted, answered once and idle in the epoll set
                s.sendall(request)
                self.assertTrue(read_reply(s).startswith(b"HTTP/1.1 200"))
            os.kill(srv.proc.pid, signal.SIGSTOP)
            try:
                for s in conns:
                    s.sendall(request)
                time.sleep(0.2)
            finally:
                os.kill(srv.proc.pid, signal.SIGCONT)
            t0 = time.monotonic()
            for s in conns:
                s.settimeout(5)
                self.assertTrue(read_reply(s).startswith(b"HTTP/1.1 200"))
            self.assertLess(time.monotonic() - t0, 5)
        finally:
            for s in conns:
                s.close()


if __name__ == "__main__":
    unittest.main()
