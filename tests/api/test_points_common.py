"""Shared plumbing for the points (积分制 / 积分超市) API tests — no tests in this module.

PointsCase is a ServerTestCase with helpers for the points module: a second committee member
(a branch_secretary created by `security`, so maker ≠ checker), fresh households, scoring
items, goods, entries, approvals, balances, `tala check` on the class's database, and signing
everyone in again after the test clock moved past the idle timeout.
"""
import itertools
import re
import secrets
import threading

from harness import DEMO_PASSWORD, Client, ServerTestCase, assert_problem, run_tala

HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
DAY_MS = 86400000

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def uniq():
    with _counter_lock:
        return next(_counter)


def new_key(prefix="k"):
    """A fresh idempotency key (8 to 100 characters)."""
    return "%s-%d-%s" % (prefix, uniq(), secrets.token_hex(6))


def tala_check(db):
    """`tala check --db URL` on a database (live or stopped): (exit status, output)."""
    p = run_tala(["check", "--db", db.url] + db.key_args())
    return p.returncode, p.stdout + p.stderr


class PointsCase(ServerTestCase):
    """A server per class, with the points helpers."""

    VILLAGE = "hutele"
    _passwords = None

    # -- accounts --

    @classmethod
    def add_user(cls, username, role="branch_secretary", node=None):
        """`security` creates a user with one role; returns a client signed in as them."""
        sec = cls.as_user("security")
        r = sec.post("/api/v1/users", json={"username": username, "display_name": "委员 " + username,
                                             "password": DEMO_PASSWORD, "role": role,
                                             "node": node or cls.VILLAGE})
        assert r.status == 201, r
        return cls.as_user(username)

    @classmethod
    def relogin_all(cls):
        """Signs every cached client in again (after the clock moved past the idle timeout)."""
        for user, c in list(cls._clients.items()):
            r = c.login(user)
            assert r.status == 200, (user, r)

    @classmethod
    def advance_days(cls, days):
        now = cls.server.advance(int(days * DAY_MS))
        cls.relogin_all()
        return now

    # -- records --

    @classmethod
    def new_household(cls, client, node=None, head=None, members=3):
        head = head or "测试户%d" % uniq()
        r = client.post("/api/v1/households", json={"node": node or cls.VILLAGE,
                                                    "head_name": head, "members": members})
        assert r.status == 201, r
        return r.json

    @classmethod
    def new_item(cls, client, code, points, node=None, **extra):
        body = {"node": node or cls.VILLAGE, "code": code, "name": "项目" + code, "points": points}
        body.update(extra)
        r = client.post("/api/v1/points/items", json=body)
        assert r.status == 201, r
        return r.json

    @classmethod
    def new_goods(cls, client, price, stock, node=None, name=None):
        r = client.post("/api/v1/points/goods", json={"node": node or cls.VILLAGE,
                                                      "name": name or "商品%d" % uniq(),
                                                      "price": price, "stock": stock})
        assert r.status == 201, r
        return r.json

    @staticmethod
    def post_entry(client, household, item, note="", key=None, evidence=None):
        body = {"household": household, "item": item, "note": note,
                "idempotency_key": key or new_key("e")}
        if evidence is not None:
            body["evidence"] = evidence
        return client.post("/api/v1/points/entries", json=body)

    @classmethod
    def earn(cls, maker, checker, household, item, times=1):
        """Makes and approves entries; returns the approved ENTRY objects."""
        out = []
        for _ in range(times):
            r = cls.post_entry(maker, household, item, note="earn")
            assert r.status == 201, r
            a = checker.post("/api/v1/points/entries/%d/approve" % r.json["id"])
            assert a.status == 200, a
            out.append(a.json)
        return out

    @staticmethod
    def hh_points(client, household):
        r = client.get("/api/v1/households/%d/points" % household)
        assert r.status == 200, r
        return r.json

    @staticmethod
    def redeem(client, household, goods, quantity=None, key=None):
        body = {"household": household, "goods": goods, "idempotency_key": key or new_key("r")}
        if quantity is not None:
            body["quantity"] = quantity
        return client.post("/api/v1/points/redemptions", json=body)

    @staticmethod
    def goods_by_id(client, node, gid):
        r = client.get("/api/v1/points/goods?node=%s" % node)
        assert r.status == 200, r
        for g in r.json["items"]:
            if g["id"] == gid:
                return g
        raise AssertionError("goods %d not listed" % gid)

    @staticmethod
    def redemptions(client, node, status=None):
        path = "/api/v1/points/redemptions?node=%s" % node
        if status:
            path += "&status=" + status
        r = client.get(path)
        assert r.status == 200, r
        return r.json["items"]

    @classmethod
    def check(cls, db=None):
        return tala_check(db or cls.server.db)

    def assert_check_passes(self, db=None):
        rc, out = self.check(db)
        self.assertEqual(rc, 0, out)

    def anonymous(self):
        return Client(type(self).server)

    def assert_problem(self, resp, status, code, field=None):
        return assert_problem(resp, status, code, field)
