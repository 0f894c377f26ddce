"""Shared plumbing for the requests (群众点单—支部派单—银发接单) API tests — no tests here.

RequestsCase is a ServerTestCase for the requests module: the server trusts X-Real-IP from
loopback (--trust-proxy 1), so every resident on the public phone page can be given an address
of their own and the public endpoints' per-address limits never leak from one test into
another; the server's clock is put at 10:00 China time before anyone signs in, so whether it
is "night" (22:00–06:00, urgent orders) is decided by the test and not by when it runs.

Helpers: accounts (volunteer accounts linked to new talent-pool entries), orders placed by
staff or residents, the volunteer's verbs, China-time arithmetic, an independent working-day
calculator, the ranking score recomputed in Python, and `tala check`.
"""
import calendar as _calendar
import datetime
import io
import itertools
import math
import threading
import zipfile

from harness import DEMO_PASSWORD, Client, ServerTestCase, assert_problem, run_tala

MIN_MS = 60 * 1000
HOUR_MS = 60 * MIN_MS
DAY_MS = 24 * HOUR_MS
CST_MS = 8 * HOUR_MS  # China Standard Time, UTC+8, no daylight saving

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def uniq():
    with _counter_lock:
        return next(_counter)


# ---------------------------------------------------------------------------------------------
# China time


def cst_ms(y, m, d, hh=0, mm=0, ss=0):
    """Epoch ms of a wall-clock moment in China (UTC+8)."""
    return _calendar.timegm((y, m, d, hh, mm, ss)) * 1000 - CST_MS


def cst_date(ms):
    """The China calendar date of an epoch-ms instant."""
    return datetime.datetime.fromtimestamp((ms + CST_MS) // 1000, tz=datetime.timezone.utc).date()


def cst_minute_of_day(ms):
    return ((ms + CST_MS) // MIN_MS) % 1440


def end_of_cst_day(date):
    """The last millisecond of a China calendar day: the next day's 00:00 +08:00, less 1."""
    nxt = date + datetime.timedelta(days=1)
    return cst_ms(nxt.year, nxt.month, nxt.day) - 1


def working_day(date, cal):
    """cal: {"YYYY-MM-DD": "holiday"|"workday"} (the calendar API's rows)."""
    kind = cal.get(date.isoformat())
    if kind:
        return kind == "workday"
    return date.weekday() < 5


def due_after_working_days(created_ms, n, cal):
    """The end (China time) of the n-th working day after the day an order was placed."""
    day = cst_date(created_ms)
    counted = 0
    while counted < n:
        day += datetime.timedelta(days=1)
        if working_day(day, cal):
            counted += 1
    return end_of_cst_day(day)


# ---------------------------------------------------------------------------------------------
# The ranking, recomputed (docs/requests.md: specialty 40, distance up to 30 — unknown 15 —,
# spare capacity up to 15, rating up to 15 with 4.0 until rated; one decimal)


def distance_km(lat1, lon1, lat2, lon2):
    r, rad = 6371.0, math.pi / 180.0
    dlat, dlon = (lat2 - lat1) * rad, (lon2 - lon1) * rad
    a = (math.sin(dlat / 2) * math.sin(dlat / 2) +
         math.cos(lat1 * rad) * math.cos(lat2 * rad) * math.sin(dlon / 2) * math.sin(dlon / 2))
    return 2 * r * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def expected_score(match, dist, active, max_active, rating=None):
    s = 0.0
    if match:
        s += 40
    if dist is None:
        s += 15
    else:
        s += 30 * max(0.0, 1.0 - dist / 30.0)
    if max_active > 0 and active < max_active:
        s += 15 * (1.0 - active / max_active)
    s += 15 * (rating if rating is not None else 4.0) / 5.0
    return math.floor(s * 10 + 0.5) / 10


# ---------------------------------------------------------------------------------------------
# Residents: no account, an address of their own


def fresh_ip():
    n = uniq()
    return "198.51.%d.%d" % (100 + (n // 250) % 100, n % 250 + 1)


class Resident(Client):
    """A client without an account whose address (X-Real-IP, trusted from loopback) is its
    own, so the public endpoints' per-address limits are per resident."""

    def __init__(self, server, ip=None):
        super().__init__(server)
        self.ip = ip or fresh_ip()

    def request(self, method, path, headers=None, **kw):
        h = {"X-Real-IP": self.ip}
        h.update(headers or {})
        return super().request(method, path, headers=h, **kw)


# ---------------------------------------------------------------------------------------------
# The case


def tala_check(db):
    p = run_tala(["check", "--db", db.url] + db.key_args())
    return p.returncode, p.stdout + p.stderr


def xlsx_members(raw):
    """The member names of an XLSX (a zip); raises if it is not one."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        bad = z.testzip()
        if bad is not None:
            raise AssertionError("corrupt member %s in the workbook" % bad)
        return {n: z.read(n) for n in z.namelist()}


STAFF_OF = {"hutele": "secretary", "bayanhan": "secretary2", "chaganmulun": "town",
            "chaganmulun-g": "town", "haoributu": "town", "balinyouqi": "county"}


class RequestsCase(ServerTestCase):
    serve_args = ("--trust-proxy", "1", "--login-rate", "100000")
    VILLAGE = "hutele"
    START_HOUR_CST = 10

    # The demo's insurance dates (src/demo.c) run out in 2026–2027; renewing them keeps the
    # tests independent of the day they run. 萨仁高娃's stays lapsed (2026-06-30): she is the
    # demo's volunteer who may not take orders.
    RENEWED_INSURANCE = "2099-12-31"
    LAPSED_DEMO_VOLUNTEER = "萨仁高娃"

    @classmethod
    def prepare(cls):
        # Before anyone signs in: a known time of day (10:00 China time, at most a day ahead).
        cls.goto_cst(cls.START_HOUR_CST)
        if cls.RENEWED_INSURANCE:
            county = cls.as_user("county")
            for name, vid in cls.volunteer_ids().items():
                if name != cls.LAPSED_DEMO_VOLUNTEER:
                    r = county.patch("/api/v1/volunteers/%d" % vid,
                                     json={"insurance_until": cls.RENEWED_INSURANCE})
                    assert r.status == 200, r

    # -- the clock --

    @classmethod
    def now(cls):
        return cls.server.now()

    @classmethod
    def relogin_all(cls):
        for user, c in list(cls._clients.items()):
            r = c.login(user)
            assert r.status == 200, (user, r)

    @classmethod
    def advance(cls, ms):
        """Moves the server clock; signs everyone in again when sessions may have idled out."""
        now = cls.server.advance(ms)
        if ms >= 20 * MIN_MS:
            cls.relogin_all()
        return now

    @classmethod
    def goto_cst(cls, hour, minute=0):
        """Moves the clock forward to the next hh:mm China time (at most a day)."""
        now = cls.server.now()
        target = (hour * 60 + minute) * MIN_MS
        into_day = (now + CST_MS) % DAY_MS
        delta = (target - into_day) % DAY_MS
        if delta:
            now = cls.advance(delta)
        return now

    @classmethod
    def goto(cls, ms):
        """Moves the clock forward to the epoch-ms instant ms (must be ahead)."""
        now = cls.server.now()
        assert ms >= now, "the test clock only moves forward (%d < %d)" % (ms, now)
        left = ms - now
        while left > 0:
            step = min(left, 365 * DAY_MS)
            cls.server.advance(step)
            left -= step
        cls.relogin_all()
        return cls.server.now()

    # -- accounts --

    @classmethod
    def add_user(cls, username, role="volunteer", node=None):
        sec = cls.as_user("security")
        r = sec.post("/api/v1/users", json={"username": username, "display_name": "测试 " + username,
                                             "password": DEMO_PASSWORD, "role": role,
                                             "node": node or cls.VILLAGE})
        assert r.status == 201, r
        return cls.as_user(username)

    @classmethod
    def staff_for(cls, node):
        return cls.as_user(STAFF_OF.get(node, "county"))

    @classmethod
    def new_volunteer(cls, name, specialties, node=None, staff=None, **fields):
        node = node or cls.VILLAGE
        body = {"node": node, "name": name, "specialties": specialties,
                "insurance_until": "2099-12-31"}
        body.update(fields)
        r = (staff or cls.staff_for(node)).post("/api/v1/volunteers", json=body)
        assert r.status == 201, r
        return r.json

    @classmethod
    def volunteer_account(cls, username, name, specialties, node=None, **fields):
        """A volunteer account (role volunteer at node) linked to a new talent-pool entry.
        Returns (signed-in client, VOLUNTEER)."""
        node = node or cls.VILLAGE
        c = cls.add_user(username, "volunteer", node)
        v = cls.new_volunteer(name, specialties, node, account=username, **fields)
        return c, v

    @classmethod
    def volunteer_ids(cls):
        """{name: id} of every volunteer in the county (county staff's view)."""
        r = cls.as_user("county").get("/api/v1/volunteers?node=balinyouqi")
        assert r.status == 200, r
        return {v["name"]: v["id"] for v in r.json["items"]}

    @classmethod
    def volunteer(cls, vid):
        r = cls.as_user("county").get("/api/v1/volunteers/%d" % vid)
        assert r.status == 200, r
        return r.json

    @classmethod
    def set_available(cls, vid, available, staff=None):
        r = (staff or cls.as_user("county")).patch("/api/v1/volunteers/%d" % vid,
                                                   json={"available": available})
        assert r.status == 200, r
        return r.json

    # -- orders --

    @classmethod
    def place(cls, category, text=None, node=None, client=None, **extra):
        """An order placed by staff on a resident's behalf; returns ORDER."""
        node = node or cls.VILLAGE
        body = {"node": node, "category": category, "text": text or "测试工单 %d" % uniq()}
        body.update(extra)
        r = (client or cls.staff_for(node)).post("/api/v1/orders", json=body)
        assert r.status == 201, r
        return r.json

    @classmethod
    def place_public(cls, category, node=None, resident=None, **extra):
        """An order placed by a resident on the phone page; returns the public answer."""
        body = {"node": node or cls.VILLAGE, "category": category,
                "text": extra.pop("text", "群众点单 %d" % uniq())}
        body.update(extra)
        r = (resident or Resident(cls.server)).post("/api/v1/public/orders", json=body)
        assert r.status == 201, r
        return r.json

    @classmethod
    def order(cls, oid, client=None):
        r = (client or cls.as_user("county")).get("/api/v1/orders/%d" % oid)
        assert r.status == 200, r
        return r.json

    @classmethod
    def list_orders(cls, node=None, client=None, query=""):
        node = node or cls.VILLAGE
        r = (client or cls.staff_for(node)).get("/api/v1/orders?node=%s%s" % (node, query))
        assert r.status == 200, r
        return r.json["items"]

    @classmethod
    def dispatch(cls, oid, volunteer=None, client=None):
        body = {} if volunteer is None else {"volunteer": volunteer}
        r = (client or cls.as_user("secretary")).post("/api/v1/orders/%d/dispatch" % oid, json=body)
        assert r.status == 200, r
        return r.json

    @staticmethod
    def verb(client, oid, verb, **body):
        r = client.post("/api/v1/orders/%d/%s" % (oid, verb), json=body)
        assert r.status == 200, (verb, r)
        return r.json

    @classmethod
    def work(cls, client, oid, minutes, accept=True):
        """accept (optionally), start, complete: the volunteer's whole turn."""
        if accept:
            cls.verb(client, oid, "accept")
        cls.verb(client, oid, "start")
        return cls.verb(client, oid, "complete", minutes=minutes, note="完成")

    @classmethod
    def visit(cls, oid, resolved, satisfied, client=None, note="回访"):
        r = (client or cls.as_user("secretary")).post(
            "/api/v1/orders/%d/visit" % oid,
            json={"resolved": resolved, "satisfied": satisfied, "note": note})
        assert r.status == 200, r
        return r.json

    @classmethod
    def cancel(cls, ticket):
        r = Resident(cls.server).post("/api/v1/public/orders/%s/cancel" % ticket)
        return r

    @staticmethod
    def kinds(order):
        return [e["kind"] for e in order["events"]]

    @staticmethod
    def open_offer(order):
        open_ = [f for f in order["offers"] if f["status"] == "offered"]
        assert len(open_) <= 1, order["offers"]
        return open_[0] if open_ else None

    @classmethod
    def calendar(cls, year):
        r = cls.as_user("secretary").get("/api/v1/calendar?year=%d" % year)
        assert r.status == 200, r
        return {i["day"]: i["kind"] for i in r.json["items"]}

    def assert_check_passes(self):
        rc, out = tala_check(type(self).server.db)
        self.assertEqual(rc, 0, out)

    def assert_problem(self, resp, status, code, field=None):
        return assert_problem(resp, status, code, field)
