"""harness.py — black-box HTTP API test harness for Tala (Python 3 standard library only).

Each test class (a subclass of ServerTestCase) gets its own `tala serve` process and its own
database with the demo county: a copy of one database loaded by `tala demo` once per run
(TALA_API_DEMO_PER_CLASS=1: `tala demo` for every class). Settings come from the environment:

  TALA_BIN            the tala binary (default: build/tala relative to the repository root)
  TALA_TEST_DB        sqlite (default) or postgres
  TALA_PG_ADMIN_URL   for postgres: postgres://USER@HOST:PORT/postgres of a throwaway server;
                      every server instance gets a fresh database, dropped afterwards

The server runs with TALA_TEST_CLOCK=1 so tests can move its clock forward
(POST /api/v1/test/clock {"advance_ms": N}). Stopping a server sends SIGTERM and requires a
clean exit (status 0) within 10 s: graceful shutdown is checked on every stop.
"""

import atexit
import base64
import hashlib
import hmac
import http.client
import json as jsonlib
import os
import queue
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO_PASSWORD = "Tala@2026"
DEMO_USERS = ("admin", "security", "auditor", "county", "town", "secretary", "secretary2",
              "volunteer")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
HTTP_TIMEOUT = 30.0


def tala_bin():
    b = os.environ.get("TALA_BIN") or "build/tala"
    if not os.path.isabs(b):
        b = os.path.join(REPO_ROOT, b)
    return b


def backend():
    b = (os.environ.get("TALA_TEST_DB") or "sqlite").strip().lower()
    if b not in ("sqlite", "postgres"):
        raise RuntimeError("TALA_TEST_DB must be sqlite or postgres, not %r" % b)
    return b


def child_env(extra=None):
    """The environment for tala: the caller's, without TALA_* settings that would change the
    server's configuration behind the tests' back."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALA_")}
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------------------------
# Databases


def _pg_admin_url():
    url = os.environ.get("TALA_PG_ADMIN_URL")
    if not url:
        raise RuntimeError("TALA_TEST_DB=postgres needs TALA_PG_ADMIN_URL "
                           "(see scripts/pg-test-server.sh)")
    return url


def pg_url_for(dbname):
    u = urllib.parse.urlsplit(_pg_admin_url())
    return urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + dbname, u.query, u.fragment))


def psql(sql, dbname=None, check=True):
    url = pg_url_for(dbname) if dbname else _pg_admin_url()
    p = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At", "-c", sql],
                       capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise RuntimeError("psql failed (%d): %s\n%s" % (p.returncode, sql, p.stderr))
    return p.stdout


class Database:
    """One throwaway database: a SQLite file in a temp dir, or a fresh PostgreSQL database."""

    def __init__(self, tmpdir, kind=None, name="tala"):
        self.kind = kind or backend()
        self.tmpdir = tmpdir
        self.copies = []
        if self.kind == "sqlite":
            self.path = os.path.join(tmpdir, name + ".db")
            self.url = "sqlite:" + self.path
            self.key_file = self.path + ".key"
            self.dbname = None
        else:
            self.dbname = "tala_api_" + secrets.token_hex(6)
            psql('CREATE DATABASE "%s"' % self.dbname)
            self.url = pg_url_for(self.dbname)
            self.key_file = os.path.join(tmpdir, name + ".key")
            self.path = None

    def key_args(self):
        """SQLite finds <path>.key by itself; PostgreSQL needs --key-file."""
        return [] if self.kind == "sqlite" else ["--key-file", self.key_file]

    def copy(self, name, tmpdir=None, register=True):
        """A copy of this database (nobody may be writing to it): another Database. With
        register, it is dropped together with this one; tmpdir is where a SQLite copy goes."""
        c = Database.__new__(Database)
        c.kind, c.tmpdir, c.copies = self.kind, tmpdir or self.tmpdir, []
        if register:
            self.copies.append(c)
        if self.kind == "sqlite":
            c.path = os.path.join(c.tmpdir, name + ".db")
            c.url = "sqlite:" + c.path
            c.key_file = c.path + ".key"
            c.dbname = None
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    shutil.copyfile(self.path + suffix, c.path + suffix)
            shutil.copyfile(self.key_file, c.key_file)
        else:
            c.dbname = "tala_api_" + secrets.token_hex(6)
            psql('CREATE DATABASE "%s" TEMPLATE "%s"' % (c.dbname, self.dbname))
            c.url = pg_url_for(c.dbname)
            c.key_file = os.path.join(c.tmpdir, name + ".key")
            shutil.copyfile(self.key_file, c.key_file)
            c.path = None
        return c

    def sql(self, statement):
        """Runs one SQL statement behind the server's back (sqlite3 CLI or psql)."""
        if self.kind == "sqlite":
            p = subprocess.run(["sqlite3", self.path, statement], capture_output=True, text=True,
                               timeout=60)
            if p.returncode != 0:
                raise RuntimeError("sqlite3 failed: %s\n%s" % (statement, p.stderr))
            return p.stdout
        return psql(statement, dbname=self.dbname)

    def drop(self):
        for c in self.copies:
            c.drop()
        self.copies = []
        if self.kind == "postgres" and self.dbname:
            psql('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.dbname, check=False)
            self.dbname = None


_DEMO_TEMPLATE = None
_DEMO_TEMPLATE_LOCK = threading.Lock()


def demo_template():
    """A database with the demo county, made once per test process by `tala demo`; each
    class gets a copy of it (a file copy, or CREATE DATABASE … TEMPLATE), which is the same
    as running `tala demo` into a fresh database, only faster. TALA_API_DEMO_PER_CLASS=1 runs
    `tala demo` for every class instead."""
    global _DEMO_TEMPLATE
    with _DEMO_TEMPLATE_LOCK:
        if _DEMO_TEMPLATE is None:
            tmp = tempfile.mkdtemp(prefix="tala-api-demo-")
            db = Database(tmp, name="demo")
            try:
                load_demo(db)
            except BaseException:
                db.drop()
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            _DEMO_TEMPLATE = db
        return _DEMO_TEMPLATE


def _drop_demo_template():
    global _DEMO_TEMPLATE
    if _DEMO_TEMPLATE is not None:
        _DEMO_TEMPLATE.drop()
        shutil.rmtree(_DEMO_TEMPLATE.tmpdir, ignore_errors=True)
        _DEMO_TEMPLATE = None


def load_demo(db):
    p = run_tala(["demo", "--db", db.url] + db.key_args())
    if p.returncode != 0:
        raise RuntimeError("tala demo failed (%d):\n%s%s" % (p.returncode, p.stdout, p.stderr))


def run_tala(args, timeout=120):
    """Runs a tala command; returns CompletedProcess (text)."""
    return subprocess.run([tala_bin()] + args, capture_output=True, text=True, timeout=timeout,
                          env=child_env(), cwd=tempfile.gettempdir())


# ---------------------------------------------------------------------------------------------
# The server


class Server:
    """`tala serve` on 127.0.0.1 with a free port, its own database and web dir."""

    def __init__(self, name="api", serve_args=(), test_clock=True):
        self.name = name
        self.serve_args = list(serve_args)
        self.test_clock = test_clock
        self.tmpdir = tempfile.mkdtemp(prefix="tala-api-")
        self.web = os.path.join(self.tmpdir, "web")
        os.makedirs(self.web)
        with open(os.path.join(self.web, "index.html"), "w") as f:
            f.write("<!doctype html><title>tala test</title>\n")
        self.db = None
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.tmpdir, "server.log")
        self._log = None
        self._drain = None

    # -- lifecycle --

    def create_db(self, demo=True):
        """The server's own database: with demo, the demo county and its accounts."""
        if demo and os.environ.get("TALA_API_DEMO_PER_CLASS") != "1":
            self.db = demo_template().copy("tala", tmpdir=self.tmpdir, register=False)
        else:
            self.db = Database(self.tmpdir)
            if demo:
                load_demo(self.db)
        return self.db

    def start(self):
        if self.db is None:
            self.create_db()
        self._log = open(self.log_path, "ab")
        args = [tala_bin(), "serve", "--db", self.db.url, "--listen", "127.0.0.1:0",
                "--web", self.web] + self.db.key_args() + self.serve_args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.PIPE, cwd=self.tmpdir,
                                     env=child_env({"TALA_TEST_CLOCK": "1"} if self.test_clock
                                                   else {}))
        lines = queue.Queue()

        def drain(stream, log):
            # Keeps reading stderr into the log file so the pipe never fills.
            for raw in iter(stream.readline, b""):
                log.write(raw)
                log.flush()
                lines.put(raw)
            lines.put(None)

        self._stderr = self.proc.stderr
        self._drain = threading.Thread(target=drain, args=(self._stderr, self._log),
                                       daemon=True)
        self._drain.start()
        deadline = time.monotonic() + START_TIMEOUT
        pat = re.compile(rb"listening on http://127\.0\.0\.1:(\d+)")
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise RuntimeError("tala serve did not report 'listening on' within %ds\n%s" %
                                   (START_TIMEOUT, self.log_tail()))
            try:
                raw = lines.get(timeout=left)
            except queue.Empty:
                continue
            if raw is None:
                rc = self.proc.wait(timeout=5)
                raise RuntimeError("tala serve exited (%s) before listening\n%s" %
                                   (rc, self.log_tail()))
            m = pat.search(raw)
            if m:
                self.port = int(m.group(1))
                return self

    def stop(self):
        """SIGTERM, then requires exit status 0 within 10 s (graceful shutdown)."""
        if not self.proc:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            self._close_log()
            raise AssertionError("tala serve did not exit within %ds of SIGTERM\n%s" %
                                 (STOP_TIMEOUT, self.log_tail()))
        self._close_log()
        if rc != 0:
            raise AssertionError("tala serve exited with status %s after SIGTERM (want 0)\n%s" %
                                 (rc, self.log_tail()))

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        self._close_log()

    def _close_log(self):
        if self._drain:
            self._drain.join(timeout=5)
            self._drain = None
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None
        if self._log:
            self._log.close()
            self._log = None

    def cleanup(self):
        self.kill()
        if self.db:
            self.db.drop()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            # Keep one log record a line, whatever bytes a junk request put into it.
            lines = [re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "?", ln)[:400] for ln in text.split("\n")]
            while lines and not lines[-1].strip():
                lines.pop()
        except OSError:
            return "(no server log)"
        if not lines:
            return "(server log empty)"
        return "---- server log (last %d lines) ----\n%s\n----" % (n, "\n".join(lines[-n:]))

    # -- helpers --

    def client(self):
        return Client(self)

    def now(self):
        """The server's clock (epoch ms), via the test clock endpoint."""
        r = Client(self).post("/api/v1/test/clock", json={"advance_ms": 0})
        assert r.status == 200, r
        return r.json["now"]

    def advance(self, ms):
        r = Client(self).post("/api/v1/test/clock", json={"advance_ms": int(ms)})
        assert r.status == 200, r
        return r.json["now"]

    def advance_minutes(self, minutes):
        return self.advance(int(minutes * 60000))


# ---------------------------------------------------------------------------------------------
# HTTP client


class Response(tuple):
    """(status, headers, parsed JSON or None); also .status .headers .json .raw."""

    def __new__(cls, status, headers, body, raw):
        t = tuple.__new__(cls, (status, headers, body))
        t.raw = raw
        return t

    status = property(lambda self: self[0])
    headers = property(lambda self: self[1])
    json = property(lambda self: self[2])

    def __repr__(self):
        body = self.raw[:600].decode("utf-8", "replace") if self.raw else ""
        return "<HTTP %s %s>" % (self.status, body)


_NO_BODY = object()


class Client:
    """A browser-like API client: keeps the tala_session cookie and the CSRF token."""

    def __init__(self, server):
        self.server = server
        self.cookie = None
        self.csrf = None
        self.user = None

    def request(self, method, path, json=_NO_BODY, raw_body=None, headers=None, csrf=True):
        hdrs = {}
        body = None
        if json is not _NO_BODY:
            body = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        elif raw_body is not None:
            body = raw_body if isinstance(raw_body, bytes) else raw_body.encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if self.cookie:
            hdrs["Cookie"] = "tala_session=" + self.cookie
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            hdrs["X-CSRF-Token"] = self.csrf
        for k, v in (headers or {}).items():
            for existing in [h for h in hdrs if h.lower() == k.lower()]:
                del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            status, rh = resp.status, resp.headers
        finally:
            conn.close()
        for sc in rh.get_all("Set-Cookie") or []:
            m = re.match(r"\s*tala_session=([^;]*)", sc)
            if m:
                cleared = m.group(1) == "" or re.search(r"(?i)max-age=0\b", sc)
                self.cookie = None if cleared else m.group(1)
        parsed = None
        ctype = rh.get("Content-Type", "")
        if raw and "json" in ctype:
            try:
                parsed = jsonlib.loads(raw.decode("utf-8"))
            except ValueError:
                parsed = None
        return Response(status, rh, parsed, raw)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def head(self, path, headers=None):
        return self.request("HEAD", path, headers=headers)

    def post(self, path, json=_NO_BODY, raw_body=None, headers=None, csrf=True):
        return self.request("POST", path, json=json, raw_body=raw_body, headers=headers, csrf=csrf)

    def patch(self, path, json=_NO_BODY, raw_body=None, headers=None, csrf=True):
        return self.request("PATCH", path, json=json, raw_body=raw_body, headers=headers,
                            csrf=csrf)

    def put(self, path, json=_NO_BODY, raw_body=None, headers=None, csrf=True):
        return self.request("PUT", path, json=json, raw_body=raw_body, headers=headers, csrf=csrf)

    def delete(self, path, json=_NO_BODY, headers=None, csrf=True):
        return self.request("DELETE", path, json=json, headers=headers, csrf=csrf)

    def login(self, user, password=DEMO_PASSWORD, totp=None):
        """POST /api/v1/session; keeps cookie and CSRF token on success. Returns the Response."""
        body = {"username": user, "password": password}
        if totp is not None:
            body["totp"] = totp
        r = self.post("/api/v1/session", json=body)
        if r.status == 200 and r.json:
            self.csrf = r.json.get("csrf_token")
            self.user = r.json.get("user")
        return r

    def logout(self):
        r = self.delete("/api/v1/session")
        if r.status == 204:
            self.csrf = None
            self.user = None
        return r


def raw_exchange(port, data, timeout=15.0, send_pause=None, half_close=False):
    """Sends raw bytes on a fresh connection (in a thread, ignoring send errors: the server may
    answer early and close) and reads one HTTP response. Returns (status, headers, body) with
    lower-case header names; status None if the connection closed without an answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)

    def sender():
        try:
            if isinstance(data, (list, tuple)):
                for part in data:
                    s.sendall(part)
                    if send_pause:
                        time.sleep(send_pause)
            else:
                s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while b"\r\n\r\n" not in buf:
            if time.monotonic() > deadline:
                raise TimeoutError("no HTTP answer within %.0fs" % timeout)
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
        if b"\r\n\r\n" not in buf:
            return None, {}, buf
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0"))
        while len(body) < n:
            if time.monotonic() > deadline:
                raise TimeoutError("HTTP body incomplete within %.0fs" % timeout)
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body[:n]
    finally:
        try:
            s.close()
        except OSError:
            pass
        t.join(timeout=timeout)


# ---------------------------------------------------------------------------------------------
# TOTP (RFC 6238, SHA-1, 6 digits, 30 s)


def totp_code(secret_b32, now_ms, step_offset=0):
    s = secret_b32.strip().replace(" ", "").upper()
    s += "=" * (-len(s) % 8)
    key = base64.b32decode(s)
    counter = (now_ms // 1000) // 30 + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % code


# ---------------------------------------------------------------------------------------------
# Assertions


def assert_problem(resp, status, code, field=None):
    """The answer is an RFC 7807 problem with this status and stable code (and field)."""
    ctx = "%r" % (resp,)
    if resp.status != status:
        raise AssertionError("status %s, want %s: %s" % (resp.status, status, ctx))
    ctype = resp.headers.get("Content-Type", "") if hasattr(resp.headers, "get") else ""
    if not ctype.startswith("application/problem+json"):
        raise AssertionError("Content-Type %r, want application/problem+json: %s" % (ctype, ctx))
    body = resp.json
    if not isinstance(body, dict):
        raise AssertionError("problem body is not a JSON object: %s" % ctx)
    for k in ("type", "title", "status", "code"):
        if k not in body:
            raise AssertionError("problem body lacks %r: %s" % (k, ctx))
    if body["status"] != status:
        raise AssertionError("body status %r, want %s: %s" % (body["status"], status, ctx))
    if body["code"] != code:
        raise AssertionError("code %r, want %r: %s" % (body["code"], code, ctx))
    if field is not None and body.get("field") != field:
        raise AssertionError("field %r, want %r: %s" % (body.get("field"), field, ctx))
    return body


ID_MASK_RE = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
PHONE_MASK_RE = re.compile(r"^\d{3}\*{4}\d{4}$")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth="19900101", seq=1, region="150423"):
    """A valid 18-character resident ID number (GB 11643 check character)."""
    base = "%s%s%03d" % (region, birth, seq % 1000)
    s = sum(int(c) * w for c, w in zip(base, _ID_WEIGHTS))
    return base + "10X98765432"[s % 11]


# ---------------------------------------------------------------------------------------------
# Test case base


class ServerTestCase(unittest.TestCase):
    """A test class with its own server and database (demo data loaded)."""

    server = None
    _clients = None
    serve_args = ()  # extra `tala serve` flags for this class
    test_clock = True  # TALA_TEST_CLOCK=1 for this class's server

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._t0 = time.monotonic()
        cls.server = Server(cls.__name__, cls.serve_args, cls.test_clock)
        cls._clients = {}
        try:
            cls.server.create_db()
            cls.server.start()
            cls.prepare()
        except BaseException:
            if cls.server:
                sys.stderr.write("\n%s: setUpClass failed\n%s\n" % (cls.__name__,
                                                                   cls.server.log_tail()))
                cls.server.cleanup()
                cls.server = None
            raise

    @classmethod
    def prepare(cls):
        """Per-class set-up after the server is up (override)."""

    @classmethod
    def tearDownClass(cls):
        srv, cls.server = cls.server, None
        try:
            if srv:
                srv.stop()
        finally:
            if srv:
                srv.cleanup()
            _TIMINGS.append((cls.__module__ + "." + cls.__name__, time.monotonic() - cls._t0))
            super().tearDownClass()

    def run(self, result=None):
        before = (len(result.failures) + len(result.errors)) if result else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            srv = type(self).server
            if srv:
                sys.stderr.write("\n%s failed\n%s\n" % (self.id(), srv.log_tail()))
        return out

    # -- conveniences --

    @classmethod
    def as_user(cls, user, password=DEMO_PASSWORD):
        """A client logged in as user, logged in once per class and cached."""
        c = cls._clients.get(user)
        if c is None:
            c = Client(cls.server)
            r = c.login(user, password)
            if r.status != 200:
                raise AssertionError("login as %s failed: %r" % (user, r))
            cls._clients[user] = c
        return c

    def new_client(self):
        return Client(type(self).server)

    def login(self, user, password=DEMO_PASSWORD, totp=None):
        c = self.new_client()
        r = c.login(user, password, totp)
        self.assertEqual(r.status, 200, r)
        return c

    def assert_problem(self, resp, status, code, field=None):
        return assert_problem(resp, status, code, field)

    def assert_status(self, resp, status):
        self.assertEqual(resp.status, status, resp)
        return resp.json


_TIMINGS = []
ATEXIT_SUMMARY = True


def timings():
    return list(_TIMINGS)


def _atexit_summary():
    # Under `python3 -m unittest discover`, unittest prints the test counts; add the backend
    # and where the time went. (tests/api/run.py prints a fuller summary itself.)
    if not ATEXIT_SUMMARY or not _TIMINGS:
        return
    total = sum(t for _, t in _TIMINGS)
    slow = ", ".join("%s %.1fs" % (n.rsplit(".", 1)[-1], t)
                     for n, t in sorted(_TIMINGS, key=lambda x: -x[1])[:3])
    sys.stderr.write("api harness: %s backend, %s, %d server(s), %.1fs in classes "
                     "(slowest: %s)\n" % (backend(), tala_bin(), len(_TIMINGS), total, slow))


atexit.register(_atexit_summary)
atexit.register(_drop_demo_template)
