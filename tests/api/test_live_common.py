"""Shared plumbing for the live Q&A (政务直播问答) API tests — no tests here.

LiveCase is a ServerTestCase whose server trusts X-Real-IP from loopback (--trust-proxy 1),
so each viewer can be given an address of its own and the per-address question limit of one
test never leaks into another. Viewers carry a random X-Tala-Device token.
"""
import itertools
import json
import secrets
import socket
import threading
import time

from harness import Client, ServerTestCase

_counter = itertools.count(1)
_lock = threading.Lock()


def uniq():
    with _lock:
        return next(_counter)


def fresh_ip():
    n = uniq()
    return "203.0.%d.%d" % (113 + (n // 250) % 100, n % 250 + 1)


def device():
    return "dev_" + secrets.token_urlsafe(16)


class Viewer(Client):
    """A phone without an account: its own device token and (by default) its own address."""

    def __init__(self, server, ip=None, token=None):
        super().__init__(server)
        self.ip = ip or fresh_ip()
        self.token = token or device()

    def request(self, method, path, json=None, raw_body=None, headers=None, csrf=True, **kw):
        h = {"X-Real-IP": self.ip}
        if self.token:
            h["X-Tala-Device"] = self.token
        h.update(headers or {})
        if json is None:
            return super().request(method, path, raw_body=raw_body, headers=h, csrf=csrf)
        return super().request(method, path, json=json, raw_body=raw_body, headers=h, csrf=csrf)

    def ask(self, sid, text, **extra):
        body = {"text": text}
        body.update(extra)
        return self.post("/api/v1/streams/%d/questions" % sid, json=body)


class SSE:
    """A raw-socket reader of GET …/events: events as (name, id, data-as-JSON)."""

    def __init__(self, port, path, ip="127.0.0.1"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n"
                           "X-Real-IP: %s\r\n\r\n" % (path, ip)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("SSE: connection closed before the headers")
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self.raw = b""  # de-chunked body
        self.closed = False

    def _pump(self, deadline):
        while True:
            # de-chunk what we have
            if self.chunked:
                while True:
                    i = self.buf.find(b"\r\n")
                    if i < 0:
                        break
                    size = int(self.buf[:i].split(b";")[0] or b"0", 16)
                    if size == 0:
                        self.closed = True
                        self.buf = b""
                        return
                    if len(self.buf) < i + 2 + size + 2:
                        break
                    self.raw += self.buf[i + 2:i + 2 + size]
                    self.buf = self.buf[i + 2 + size + 2:]
            else:
                self.raw += self.buf
                self.buf = b""
            if b"\n\n" in self.raw:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return
            if not chunk:
                self.closed = True
                return
            self.buf += chunk

    def next_event(self, timeout=5.0):
        """The next event as (name, id, data), or None when none came within timeout."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.raw:
            if self.closed or time.monotonic() >= deadline:
                return None
            self._pump(deadline)
        block, _, self.raw = self.raw.partition(b"\n\n")
        name, eid, data = None, None, []
        for ln in block.decode("utf-8").split("\n"):
            k, _, v = ln.partition(":")
            v = v[1:] if v.startswith(" ") else v
            if k == "event":
                name = v
            elif k == "id":
                eid = v
            elif k == "data":
                data.append(v)
        return name, eid, json.loads("\n".join(data)) if data else None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class LiveCase(ServerTestCase):
    serve_args = ("--trust-proxy", "1")

    @classmethod
    def prepare(cls):
        cls.county = cls.as_user("county")

    def new_stream(self, title=None, node="balinyouqi", start=True, user=None, **extra):
        c = user or type(self).county
        body = {"title": title or "政务直播 %d" % uniq(), "node": node}
        body.update(extra)
        r = c.post("/api/v1/streams", json=body)
        self.assertEqual(r.status, 201, r)
        s = r.json
        if start:
            r = c.post("/api/v1/streams/%d/start" % s["id"])
            self.assertEqual(r.status, 200, r)
            s = r.json
        return s

    def viewer(self, ip=None, token=None):
        return Viewer(type(self).server, ip=ip, token=token)

    def ask(self, sid, text, viewer=None, **extra):
        v = viewer or self.viewer()
        r = v.ask(sid, text, **extra)
        self.assertEqual(r.status, 201, r)
        return r.json

    def hot(self, sid, limit=None):
        q = "" if limit is None else "?limit=%d" % limit
        r = Client(type(self).server).get("/api/v1/streams/%d/hot%s" % (sid, q))
        self.assertEqual(r.status, 200, r)
        return r.json["items"]
