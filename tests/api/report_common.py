"""Shared plumbing for the live Q&A report, summary and FAQ tests — no tests here.

LiveCase is a ServerTestCase whose server trusts X-Real-IP from loopback, so each viewer can
have an address of its own and the public endpoints' per-address limits never leak from one
test into another. Viewers are phones: a device token (X-Tala-Device) and an address.
Everything goes through the API (docs/live.md): streams are created, started and ended by
staff, questions posted by viewers, hot questions answered or deferred by the host.
"""
import itertools
import os
import threading

from harness import Client, ServerTestCase

MIN_MS = 60 * 1000

_n = itertools.count(1)
_n_lock = threading.Lock()


def uniq():
    with _n_lock:
        return next(_n)


def fresh_ip():
    n = uniq()
    return "10.%d.%d.%d" % (50 + n // 65536 % 200, n // 256 % 256, n % 256)


class Viewer(Client):
    """A phone on the viewer page: its own device token and address."""

    def __init__(self, server, name=None):
        super().__init__(server)
        self.token = "dev-%s-%06d-token" % (name or "v", uniq())
        self.ip = fresh_ip()

    def request(self, method, path, headers=None, **kw):
        h = {"X-Real-IP": self.ip, "X-Tala-Device": self.token}
        h.update(headers or {})
        return super().request(method, path, headers=h, **kw)


class LiveCase(ServerTestCase):
    serve_args = ("--trust-proxy", "1", "--login-rate", "100000")
    # a server that renders PDFs keeps cairo's and fontconfig's allocations at exit: its
    # LeakSanitizer (ASan builds) is told about those library frames, and only those
    renders_pdf = False

    @classmethod
    def setUpClass(cls):
        if not cls.renders_pdf:
            return super().setUpClass()
        supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lsan-render.supp")
        old = os.environ.get("LSAN_OPTIONS")
        os.environ["LSAN_OPTIONS"] = ":".join(
            x for x in (old, "suppressions=" + supp, "print_suppressions=0") if x)
        try:
            super().setUpClass()
        finally:
            if old is None:
                del os.environ["LSAN_OPTIONS"]
            else:
                os.environ["LSAN_OPTIONS"] = old

    # -- staff --

    @classmethod
    def create_stream(cls, title, node, topics=(), user="county"):
        c = cls.as_user(user)
        r = c.post("/api/v1/streams", json={"title": title, "node": node, "topics": list(topics),
                                             "platform": "douyin", "host_name": "王海军"})
        assert r.status == 201, r
        return r.json

    @classmethod
    def transition(cls, sid, verb, user="county"):
        r = cls.as_user(user).post("/api/v1/streams/%d/%s" % (sid, verb))
        assert r.status == 200, r
        return r.json

    @classmethod
    def viewers(cls, sid, n, at=None, user="county"):
        body = {"viewers": n}
        if at is not None:
            body["at"] = at
        r = cls.as_user(user).post("/api/v1/streams/%d/viewers" % sid, json=body)
        assert r.status == 201, r

    @classmethod
    def hot_verb(cls, sid, cid, verb, body=None, user="county"):
        r = cls.as_user(user).post("/api/v1/streams/%d/hot/%d/%s" % (sid, cid, verb),
                                   json=body if body is not None else {})
        assert r.status == 200, r
        return r.json

    @classmethod
    def answer(cls, sid, cid, text, user="county"):
        return cls.hot_verb(sid, cid, "answer", {"answer": text}, user)

    # -- viewers --

    @classmethod
    def ask(cls, viewer, sid, text, nickname=None, status=201):
        body = {"text": text}
        if nickname:
            body["nickname"] = nickname
        r = viewer.post("/api/v1/streams/%d/questions" % sid, json=body)
        assert r.status == status, r
        return r.json

    @classmethod
    def upvote(cls, viewer, qid):
        r = viewer.post("/api/v1/public/questions/%d/upvote" % qid, json={})
        assert r.status == 200, r
        return r.json

    @classmethod
    def viewer(cls, name=None):
        return Viewer(cls.server, name)

    # -- clock --

    @classmethod
    def now(cls):
        return cls.server.now()

    @classmethod
    def advance(cls, ms):
        return cls.server.advance(ms)
