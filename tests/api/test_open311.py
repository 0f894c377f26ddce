"""Open311 GeoReport v2 (/open311/v2/, docs/requests.md "Open311"): every resource in JSON
and XML checked field by field against the spec; posting a form-encoded request with an api
key files an ordinary order (source open311) that staff then see; reading shows no one's name
or number; errors everywhere under /open311/ are [{"code","description"}] or <errors>; the
per-key rate limit; and the first 200 rows of the NYC 311 sample imported through the API
with scripts/open311_import.py (skipped when the shared file is absent)."""
import datetime
import importlib.util
import os
import re
import subprocess
import sys
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import REPO_ROOT, ServerTestCase, raw_exchange, run_tala

V2 = "/open311/v2"
SPEC = "http://wiki.open311.org/GeoReport_v2"
SEEDED = {"health": "健康义诊", "agri": "农牧技术", "legal": "法律咨询", "mediation": "矛盾调解",
          "errand": "生活帮办", "repair": "水电暖维修"}
SERVICE_KEYS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                "group"]
ATTRIBUTE_KEYS = {"variable", "code", "datatype", "required", "datatype_description", "order",
                  "description"}
REQUEST_KEYS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                "description", "agency_responsible", "service_notice", "requested_datetime",
                "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                "lat", "long", "media_url"]
POST_KEYS = ["service_request_id", "token", "service_notice", "account_id"]
W3C_CST = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>'
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
NYC_CSV = "/work/shared/data/requests/nyc311_2023-02-28.csv"
CST = datetime.timezone(datetime.timedelta(hours=8))


def w3c(ms):
    """An epoch-ms instant as the server writes it: seconds, China time."""
    return datetime.datetime.fromtimestamp(ms // 1000, tz=CST).isoformat()


def new_key(db, node, name="test client"):
    """`tala apikey add` on the class's database; the key is the last line printed."""
    p = run_tala(["apikey", "add", "--db", db.url] + db.key_args() +
                 ["--node", node, "--name", name])
    assert p.returncode == 0, p.stderr
    key = p.stdout.strip().splitlines()[-1]
    assert re.match(r"^\S{20,}$", key), p.stdout
    return key


def load_importer():
    spec = importlib.util.spec_from_file_location(
        "open311_import", os.path.join(REPO_ROOT, "scripts", "open311_import.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Open311Case(ServerTestCase):
    """Helpers: raw Open311 calls in either format and the spec's error shape."""

    def call(self, method, path, form=None, body=None, headers=None):
        """(response, parsed): parsed is the JSON value or the XML root element."""
        c = self.new_client()
        if form is not None:
            body = urllib.parse.urlencode(form).encode("utf-8")
        hdrs = dict(FORM) if body is not None else {}
        hdrs.update(headers or {})
        r = c.request(method, path, raw_body=body, headers=hdrs)
        ctype = r.headers.get("Content-Type", "")
        if ctype == XML_TYPE:
            self.assertTrue(r.raw.startswith(XML_DECL), r.raw[:80])
            return r, ET.fromstring(r.raw)
        self.assertEqual(ctype, JSON_TYPE, r)
        return r, r.json

    def get(self, path, status=200):
        r, parsed = self.call("GET", path)
        self.assertEqual(r.status, status, r)
        want = XML_TYPE if path.split("?")[0].endswith(".xml") else JSON_TYPE
        self.assertEqual(r.headers["Content-Type"], want)
        return parsed

    def post(self, form, fmt="json", status=201):
        r, parsed = self.call("POST", "%s/requests.%s" % (V2, fmt), form=form)
        self.assertEqual(r.status, status, r)
        return parsed

    def assert_error(self, r, parsed, status, fmt="json"):
        """The spec's error shape: [{"code": status, "description": "…"}] or
        <errors><error><code>status</code><description>…</description></error></errors>."""
        self.assertEqual(r.status, status, r)
        if fmt == "xml":
            self.assertEqual(r.headers["Content-Type"], XML_TYPE)
            self.assertEqual(parsed.tag, "errors")
            self.assertEqual([e.tag for e in parsed], ["error"])
            err = parsed[0]
            self.assertEqual([e.tag for e in err], ["code", "description"])
            self.assertEqual(err.findtext("code"), str(status))
            self.assertTrue(err.findtext("description"))
            return err.findtext("description")
        self.assertEqual(r.headers["Content-Type"], JSON_TYPE)
        self.assertIsInstance(parsed, list, r)
        self.assertEqual(len(parsed), 1, r)
        self.assertEqual(set(parsed[0]), {"code", "description"}, r)
        self.assertEqual(parsed[0]["code"], status)
        self.assertIsInstance(parsed[0]["description"], str)
        self.assertTrue(parsed[0]["description"])
        return parsed[0]["description"]

    def form(self, **extra):
        f = {"api_key": self.key, "service_code": "agri", "description": "羊群咳嗽，请兽医看看",
             "lat": "43.9512", "long": "118.8034"}
        f.update(extra)
        return {k: v for k, v in f.items() if v is not None}

    def staff_order(self, rid):
        r = self.as_user("county").get("/api/v1/orders/%s" % rid)
        self.assertEqual(r.status, 200, r)
        return r.json


class Open311Test(Open311Case):
    serve_args = ("--max-body", "65536")

    @classmethod
    def prepare(cls):
        db = cls.server.db
        cls.key = new_key(db, "hutele")
        cls.town_key = new_key(db, "chaganmulun", "township client")
        cls.revoked_key = new_key(db, "hutele", "revoked client")
        db.sql("UPDATE api_keys SET revoked = 1 WHERE name = 'revoked client'")

    # ---- discovery, services ----

    def test_discovery_in_both_formats(self):
        d = self.get(V2 + "/discovery.json")
        self.assertEqual(list(d), ["changeset", "contact", "key_service", "endpoints"])
        self.assertRegex(d["changeset"], W3C_CST)
        self.assertTrue(d["contact"])
        self.assertTrue(d["key_service"])
        self.assertEqual(len(d["endpoints"]), 1)
        ep = d["endpoints"][0]
        self.assertEqual(list(ep), ["specification", "url", "changeset", "type", "formats"])
        self.assertEqual(ep["specification"], SPEC)
        self.assertEqual(ep["url"], "http://127.0.0.1:%d/open311/v2" % self.server.port)
        self.assertRegex(ep["changeset"], W3C_CST)
        self.assertEqual(ep["type"], "production")
        self.assertEqual(ep["formats"], ["text/xml", "application/json"])
        x = self.get(V2 + "/discovery.xml")
        self.assertEqual(x.tag, "discovery")
        self.assertEqual([e.tag for e in x], ["changeset", "contact", "key_service", "endpoints"])
        for k in ("changeset", "contact", "key_service"):
            self.assertEqual(x.findtext(k), d[k])
        eps = x.find("endpoints")
        self.assertEqual([e.tag for e in eps], ["endpoint"])
        for k in ("specification", "url", "changeset", "type"):
            self.assertEqual(eps[0].findtext(k), ep[k])
        self.assertEqual([f.text for f in eps[0].find("formats")], ep["formats"])
        self.assertEqual([f.tag for f in eps[0].find("formats")], ["format", "format"])

    def test_services_are_the_active_categories(self):
        services = self.get(V2 + "/services.json")
        cats = self.new_client().get("/api/v1/public/request-categories").json["items"]
        self.assertEqual([s["service_code"] for s in services], [k["code"] for k in cats])
        self.assertTrue(set(SEEDED) <= {s["service_code"] for s in services})
        for s, k in zip(services, cats):
            self.assertEqual(list(s), SERVICE_KEYS)
            self.assertEqual(s["service_name"], k["name"])
            self.assertEqual(s["description"], k["description"])
            self.assertIs(s["metadata"], True)
            self.assertEqual(s["type"], "realtime")
            self.assertIsInstance(s["keywords"], str)
            self.assertTrue(s["keywords"] and s["group"])
            if s["service_code"] in SEEDED:
                self.assertEqual(s["service_name"], SEEDED[s["service_code"]])
        x = self.get(V2 + "/services.xml")
        self.assertEqual(x.tag, "services")
        self.assertEqual({e.tag for e in x}, {"service"})
        self.assertEqual(len(x), len(services))
        for el, s in zip(x, services):
            self.assertEqual([e.tag for e in el], SERVICE_KEYS)
            self.assertEqual(el.findtext("metadata"), "true")
            for k in ("service_code", "service_name", "description", "type", "keywords", "group"):
                self.assertEqual(el.findtext(k), s[k])

    def test_service_definition(self):
        d = self.get(V2 + "/services/agri.json")
        self.assertEqual(list(d), ["service_code", "attributes"])
        self.assertEqual(d["service_code"], "agri")
        attrs = {a["code"]: a for a in d["attributes"]}
        self.assertTrue({"urgency", "household_code", "village"} <= set(attrs))
        for a in d["attributes"]:
            self.assertTrue(ATTRIBUTE_KEYS <= set(a), a)
            self.assertIs(a["variable"], True)
            self.assertIs(a["required"], False)
            self.assertIn(a["datatype"], ("string", "number", "datetime", "text",
                                          "singlevaluelist", "multivaluelist"))
        self.assertEqual(sorted(a["order"] for a in d["attributes"]),
                         list(range(1, len(d["attributes"]) + 1)))
        u = attrs["urgency"]
        self.assertEqual(u["datatype"], "singlevaluelist")
        self.assertEqual([v["key"] for v in u["values"]], ["normal", "urgent"])
        self.assertTrue(all(set(v) == {"key", "name"} and v["name"] for v in u["values"]))
        self.assertEqual(attrs["household_code"]["datatype"], "string")
        self.assertNotIn("values", attrs["household_code"])
        x = self.get(V2 + "/services/agri.xml")
        self.assertEqual(x.tag, "service_definition")
        self.assertEqual(x.findtext("service_code"), "agri")
        xa = x.find("attributes")
        self.assertEqual({e.tag for e in xa}, {"attribute"})
        self.assertEqual([e.findtext("code") for e in xa], [a["code"] for a in d["attributes"]])
        ux = xa[[a["code"] for a in d["attributes"]].index("urgency")]
        self.assertEqual(ux.findtext("variable"), "true")
        self.assertEqual(ux.findtext("required"), "false")
        self.assertEqual(ux.findtext("datatype"), "singlevaluelist")
        self.assertEqual(ux.findtext("order"), str(u["order"]))
        self.assertEqual(ux.findtext("datatype_description"), "")  # null: an empty element
        self.assertEqual([(v.findtext("key"), v.findtext("name")) for v in ux.find("values")],
                         [(v["key"], v["name"]) for v in u["values"]])
        for fmt in ("json", "xml"):
            for path in ("/services/nope.", "/services/1.", "/services/ag%20ri."):
                self.assert_error(*self.call("GET", V2 + path + fmt), 404, fmt)
        # no format, or another one: 404 in the spec's shape (JSON)
        for path in ("/services/agri", "/services/agri.csv", "/services.csv", "/discovery"):
            self.assert_error(*self.call("GET", V2 + path), 404)

    # ---- posting ----

    def test_post_without_a_valid_key_is_403(self):
        for fmt in ("json", "xml"):
            r, p = self.call("POST", "%s/requests.%s" % (V2, fmt), form=self.form(api_key=None))
            self.assertIn("api_key", self.assert_error(r, p, 403, fmt))
            for bad in ("", "not-a-key", self.revoked_key):
                r, p = self.call("POST", "%s/requests.%s" % (V2, fmt), form=self.form(api_key=bad))
                self.assert_error(r, p, 403, fmt)
        # The key is checked before the fields: a bad form with a bad key is still 403.
        r, p = self.call("POST", V2 + "/requests.json",
                         form=self.form(api_key="nope", service_code="nope", lat="99"))
        self.assert_error(r, p, 403)
        # Denials are in the audit log.
        a = self.as_user("auditor").get("/api/v1/audit?action=order.create&limit=100")
        self.assertEqual(a.status, 200, a)
        self.assertTrue(any(e["result"] == "denied" and e["object"] == "open311"
                            for e in a.json["items"]), a.json)

    def test_post_files_an_ordinary_order(self):
        form = self.form(description="羊群 咳嗽 + 发烧", first_name="三", last_name="张",
                         phone="(139) 0476-1201", email="zs@example.com", device_id="dev-1",
                         account_id="acc-1", **{"attribute[urgency]": "urgent"})
        t0 = self.server.now()
        ans = self.post(form)
        self.assertIsInstance(ans, list)
        self.assertEqual(len(ans), 1)
        self.assertEqual(list(ans[0]), POST_KEYS)
        rid = ans[0]["service_request_id"]
        self.assertRegex(rid, r"^[1-9]\d*$")
        self.assertRegex(ans[0]["token"], r"^[2-9A-HJ-NP-Z]{10}$")
        self.assertIsNone(ans[0]["account_id"])
        self.assertIn("2 小时", ans[0]["service_notice"])
        # The staff see it as an ordinary order placed through Open311.
        items = self.as_user("secretary").get("/api/v1/orders?node=hutele").json["items"]
        o = next(i for i in items if str(i["id"]) == rid)
        self.assertEqual(o["source"], "open311")
        self.assertEqual(o["status"], "new")
        self.assertEqual(o["text"], "羊群 咳嗽 + 发烧")  # '+' is a space, %2B a plus
        self.assertEqual(o["urgency"], "urgent")
        self.assertEqual(o["category"]["code"], "agri")
        self.assertEqual(o["node"]["code"], "hutele")
        self.assertEqual(o["resident_name"], "张三")
        self.assertEqual(o["ticket"], ans[0]["token"])
        self.assertAlmostEqual(o["lat"], 43.9512)
        self.assertAlmostEqual(o["lon"], 118.8034)
        self.assertLess(abs(o["created_at"] - t0), 5000)
        self.assertEqual(o["due_at"] - o["created_at"], 2 * 3600 * 1000)
        full = self.staff_order(rid)
        self.assertEqual([e["kind"] for e in full["events"]], ["placed"])
        self.assertIn("open311", full["events"][0]["detail"])
        # The audit entry names the key.
        a = self.as_user("auditor").get("/api/v1/audit?action=order.create&limit=100")
        entries = [e for e in a.json["items"] if e["object"] == "order:" + rid]
        self.assertEqual(len(entries), 1, a)
        self.assertRegex(entries[0]["user"], r"^api_key:\d+$")
        self.assertEqual(entries[0]["result"], "ok")
        # XML: <service_requests><request>…</request></service_requests>
        x = self.post(self.form(service_code="repair", lat=None, long=None,
                                address_string="呼特勒嘎查 3 号院"), fmt="xml")
        self.assertEqual(x.tag, "service_requests")
        self.assertEqual([e.tag for e in x], ["request"])
        self.assertEqual([e.tag for e in x[0]], POST_KEYS)
        xid = x[0].findtext("service_request_id")
        self.assertEqual(x[0].findtext("account_id"), "")
        o = self.staff_order(xid)
        self.assertEqual((o["source"], o["address"], o["lat"]), ("open311", "呼特勒嘎查 3 号院", None))
        self.assertEqual(o["ticket"], x[0].findtext("token"))

    def test_a_township_key_names_the_village(self):
        r, p = self.call("POST", V2 + "/requests.json", form=self.form(api_key=self.town_key))
        self.assertIn("attribute[village]", self.assert_error(r, p, 400))
        ans = self.post(self.form(api_key=self.town_key, **{"attribute[village]": "bayanhan"}))
        self.assertEqual(self.staff_order(ans[0]["service_request_id"])["node"]["code"], "bayanhan")
        for village in ("dabancun", "nowhere", "chaganmulun"):  # another township's; none; itself
            r, p = self.call("POST", V2 + "/requests.json",
                             form=self.form(api_key=self.town_key,
                                            **{"attribute[village]": village}))
            self.assertIn("attribute[village]", self.assert_error(r, p, 400))
        # A village key files in its groups, not in a neighbour's village.
        ans = self.post(self.form(**{"attribute[village]": "hutele-1"}))
        self.assertEqual(self.staff_order(ans[0]["service_request_id"])["node"]["code"],
                         "hutele-1")
        r, p = self.call("POST", V2 + "/requests.json",
                         form=self.form(**{"attribute[village]": "bayanhan"}))
        self.assert_error(r, p, 400)
        # attribute[household_code] links a household of the village.
        hh = self.as_user("secretary").get("/api/v1/households?node=hutele").json["items"][0]
        ans = self.post(self.form(**{"attribute[household_code]": hh["code"]}))
        self.assertEqual(self.staff_order(ans[0]["service_request_id"])["household_id"], hh["id"])
        r, p = self.call("POST", V2 + "/requests.json",
                         form=self.form(**{"attribute[household_code]": "no-such-household"}))
        self.assertIn("household_code", self.assert_error(r, p, 400))

    def test_bad_input_is_400_in_the_spec_shape(self):
        cases = {
            "lat out of range": self.form(lat="91"),
            "long out of range": self.form(long="-180.5"),
            "lat not a number": self.form(lat="north"),
            "lat infinite": self.form(lat="inf"),
            "lat without long": self.form(long=None),
            "no location": self.form(lat=None, long=None),
            "blank address only": self.form(lat=None, long=None, address_string="   "),
            "unknown service_code": self.form(service_code="potholes"),
            "numeric service_code": self.form(service_code="1"),
            "missing service_code": self.form(service_code=None),
            "missing description": self.form(description=None),
            "blank description": self.form(description=" \u3000 "),
            "description too long": self.form(description="长" * 1001),
            "bad urgency": self.form(**{"attribute[urgency]": "asap"}),
            "bad phone": self.form(phone="call me"),
        }
        for fmt in ("json", "xml"):
            for name, form in cases.items():
                with self.subTest(name, fmt=fmt):
                    r, p = self.call("POST", "%s/requests.%s" % (V2, fmt), form=form)
                    self.assert_error(r, p, 400, fmt)
        good = urllib.parse.urlencode(self.form())
        raw_cases = {
            "invalid UTF-8 escaped": good + "&first_name=%FF%FE",
            "invalid UTF-8 raw": good.encode() + b"&first_name=\xff\xfe",
            "a control character": good + "&description=a%01b",
            "a NUL byte": good + "&last_name=a%00b",
            "a broken escape": good + "&first_name=%G1",
            "a truncated escape": good + "&first_name=%4",
            "a field twice": good + "&service_code=health",
            "oversized body": good + "&device_id=" + "x" * 20000,
        }
        for name, body in raw_cases.items():
            with self.subTest(name):
                self.assert_error(*self.call("POST", V2 + "/requests.json", body=body), 400)
        # JSON instead of a form
        r, p = self.call("POST", V2 + "/requests.json", body=b'{"api_key":"x"}',
                         headers={"Content-Type": "application/json"})
        self.assert_error(r, p, 400)
        # Nothing was filed by any of them.
        items = self.as_user("secretary").get("/api/v1/orders?node=hutele").json["items"]
        self.assertFalse([i for i in items if i["text"] in ("长" * 1001, "a\x01b")])

    def test_errors_everywhere_under_open311(self):
        for fmt in ("json", "xml"):
            self.assert_error(*self.call("GET", V2 + "/nothing." + fmt), 404, fmt)
            self.assert_error(*self.call("GET", "/open311/v3/services." + fmt), 404, fmt)
            r, p = self.call("DELETE", V2 + "/requests." + fmt)
            self.assert_error(r, p, 405, fmt)
            self.assertEqual(r.headers["Allow"], "GET, HEAD, POST")
            r, p = self.call("POST", V2 + "/services." + fmt, form={})
            self.assert_error(r, p, 405, fmt)
        # The server's own limits: a body over --max-body (413), an over-long URL (414).
        status, headers, body = raw_exchange(self.server.port, (
            "POST %s/requests.xml HTTP/1.1\r\nHost: x\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n" % V2).encode()
            + b"a" * 100000)
        self.assertEqual(status, 413)
        self.assertEqual(headers["content-type"], XML_TYPE)
        root = ET.fromstring(body)
        self.assertEqual((root.tag, root[0].findtext("code")), ("errors", "413"))
        r, p = self.call("GET", V2 + "/requests.json?service_code=" + "a" * 10000)
        self.assert_error(r, p, 414)
        # Outside /open311/ errors stay problem+json.
        r = self.new_client().get("/api/v1/nothing")
        self.assert_problem(r, 404, "request.not_found")

    # ---- reading ----

    def test_get_requests_with_filters(self):
        now = self.server.now()
        a = self.post(self.form(service_code="repair", first_name="四", last_name="李",
                                phone="13904761299", address_string="二组 7 号"))
        b = self.post(self.form(service_code="health", lat=None, long=None,
                                address_string="一组卫生室"))
        c = self.post(self.form(api_key=self.town_key, service_code="repair",
                                **{"attribute[village]": "bayanhan"}))
        ids = [x[0]["service_request_id"] for x in (a, b, c)]
        every = self.get(V2 + "/requests.json")
        self.assertLessEqual(len(every), 1000)
        got = {r["service_request_id"]: r for r in every}
        self.assertTrue(set(ids) <= set(got))
        for r in every:
            self.assertEqual(list(r), REQUEST_KEYS)
            self.assertIn(r["status"], ("open", "closed"))
            for k in ("requested_datetime", "updated_datetime", "expected_datetime"):
                self.assertRegex(r[k], W3C_CST)
            self.assertIsNone(r["address_id"])
            self.assertIsNone(r["zipcode"])
            self.assertIsNone(r["media_url"])
        # Field by field, against the staff's view of the same order.
        ra = got[ids[0]]
        oa = self.staff_order(ids[0])
        self.assertEqual(ra["status"], "open")
        self.assertTrue(ra["status_notes"])
        self.assertEqual((ra["service_code"], ra["service_name"]), ("repair", "水电暖维修"))
        self.assertEqual(ra["description"], oa["text"])
        self.assertEqual(ra["agency_responsible"], "呼特勒嘎查")
        self.assertIn("24 小时", ra["service_notice"])
        self.assertEqual(ra["requested_datetime"], w3c(oa["created_at"]))
        # updated: the last event, here "placed" (stamped a moment after the order)
        self.assertIn(ra["updated_datetime"], (w3c(oa["created_at"]), w3c(oa["created_at"] + 1000)))
        self.assertEqual(ra["expected_datetime"], w3c(oa["due_at"]))
        self.assertEqual(ra["address"], "二组 7 号")
        self.assertAlmostEqual(ra["lat"], 43.9512)
        self.assertAlmostEqual(ra["long"], 118.8034)
        self.assertEqual((got[ids[1]]["lat"], got[ids[1]]["long"]), (None, None))
        self.assertEqual(got[ids[2]]["agency_responsible"], "巴彦汉嘎查")
        # No one's name or number, no ticket.
        raw = self.call("GET", V2 + "/requests.json")[0].raw.decode("utf-8")
        for secret in ("李四", "13904761299", "0476", a[0]["token"], "张三"):
            self.assertNotIn(secret, raw)
        # Filters
        codes = {r["service_code"] for r in self.get(V2 + "/requests.json?service_code=repair")}
        self.assertEqual(codes, {"repair"})
        both = self.get(V2 + "/requests.json?service_code=repair,health")
        self.assertEqual({r["service_code"] for r in both}, {"repair", "health"})
        self.assertTrue(set(ids) <= {r["service_request_id"] for r in both})
        by_id = self.get(V2 + "/requests.json?service_request_id=%s,%s&service_code=agri"
                         % (ids[1], ids[0]))  # the ids override every other argument
        self.assertEqual([r["service_request_id"] for r in by_id], [ids[1], ids[0]])
        self.assertEqual(self.get(V2 + "/requests.json?service_request_id=999999"), [])
        area = self.get(V2 + "/requests.json?jurisdiction_id=bayanhan")
        self.assertIn(ids[2], {r["service_request_id"] for r in area})
        self.assertEqual({r["agency_responsible"] for r in area}, {"巴彦汉嘎查"})
        # status: cancel one by its ticket (the token) on the phone page; it is then closed.
        r = self.new_client().post("/api/v1/public/orders/%s/cancel" % b[0]["token"], json={})
        self.assertEqual(r.status, 200, r)
        closed = self.get(V2 + "/requests.json?status=closed")
        self.assertIn(ids[1], {r["service_request_id"] for r in closed})
        self.assertEqual({r["status"] for r in closed}, {"closed"})
        rb = next(r for r in closed if r["service_request_id"] == ids[1])
        self.assertEqual(rb["status_notes"], "已撤销")
        self.assertGreaterEqual(rb["updated_datetime"], rb["requested_datetime"])
        opened = self.get(V2 + "/requests.json?status=open")
        self.assertNotIn(ids[1], {r["service_request_id"] for r in opened})
        self.assertEqual({r["status"] for r in opened}, {"open"})
        self.assertEqual(len(self.get(V2 + "/requests.json?status=open,closed")), len(every))
        # dates (W3C, any offset; a '+' left unescaped in the query reads as a space)
        start = w3c(now - 60000)
        q = urllib.parse.quote(start)
        self.assertTrue(set(ids) <= {r["service_request_id"] for r in
                                     self.get(V2 + "/requests.json?start_date=" + q)})
        self.assertTrue(set(ids) <= {r["service_request_id"] for r in
                                     self.get(V2 + "/requests.json?start_date=" + start)})
        later = datetime.datetime.fromtimestamp(now // 1000 + 3600, tz=datetime.timezone.utc)
        self.assertEqual(self.get(V2 + "/requests.json?start_date=" +
                                  later.strftime("%Y-%m-%dT%H:%M:%SZ")), [])
        self.assertFalse(set(ids) & {r["service_request_id"] for r in self.get(
            V2 + "/requests.json?end_date=" + urllib.parse.quote(w3c(now - 60000)))})
        today = w3c(now)[:10]  # a bare end_date holds the whole day
        self.assertTrue(set(ids) <= {r["service_request_id"] for r in
                                     self.get(V2 + "/requests.json?end_date=" + today)})
        for good in ("start_date=2026-11-26T09:30%2B08:00", "start_date=2026-11-26T09:30:15.250Z",
                     "start_date=2026-11-25T20:00:00-05:00", "end_date=2028-02-29"):
            with self.subTest(good):
                self.assertIsInstance(self.get(V2 + "/requests.json?" + good), list)
        for bad in ("start_date=2026-02-30", "end_date=2027-02-29", "start_date=2026-11-26T09",
                    "start_date=2026-11-26T09:30", "start_date=2026-11-26%2009:30:00%2B08:00", "start_date=yesterday", "end_date=2026-11-26T25:00Z",
                    "start_date=2026-01-01&end_date=2026-06-01",  # more than 90 days
                    "start_date=2026-06-01&end_date=2026-05-01", "status=pending",
                    "service_code=a,,b", "service_request_id=1,x", "service_request_id=" +
                    ",".join(str(i) for i in range(1, 102))):
            with self.subTest(bad):
                self.assert_error(*self.call("GET", V2 + "/requests.xml?" + bad), 400, "xml")
        self.assert_error(*self.call("GET", V2 + "/requests.json?jurisdiction_id=nowhere"), 404)
        # XML: <service_requests> with <request> children, the same fields in the same order
        x = self.get(V2 + "/requests.xml?service_request_id=" + ",".join(ids))
        self.assertEqual(x.tag, "service_requests")
        self.assertEqual([e.tag for e in x], ["request"] * 3)
        for el in x:
            self.assertEqual([e.tag for e in el], REQUEST_KEYS)
            j = got[el.findtext("service_request_id")]
            for k in REQUEST_KEYS:
                v = el.findtext(k)
                if j[k] is None:
                    self.assertEqual(v, "", k)
                elif k in ("lat", "long"):
                    self.assertAlmostEqual(float(v), j[k])
                elif k != "status" and k != "status_notes" and k != "updated_datetime":
                    self.assertEqual(v, j[k], k)

    def test_get_one_request(self):
        ans = self.post(self.form(service_code="legal", description="草场承包合同咨询"))
        rid = ans[0]["service_request_id"]
        one = self.get("%s/requests/%s.json" % (V2, rid))
        self.assertIsInstance(one, list)
        self.assertEqual(len(one), 1)
        self.assertEqual(list(one[0]), REQUEST_KEYS)
        self.assertEqual((one[0]["service_request_id"], one[0]["service_code"],
                          one[0]["description"], one[0]["status"]),
                         (rid, "legal", "草场承包合同咨询", "open"))
        self.assertIn("7 个工作日", one[0]["service_notice"])
        x = self.get("%s/requests/%s.xml" % (V2, rid))
        self.assertEqual(x.tag, "service_requests")
        self.assertEqual([e.tag for e in x], ["request"])
        self.assertEqual([e.tag for e in x[0]], REQUEST_KEYS)
        self.assertEqual(x[0].findtext("service_request_id"), rid)
        self.assertEqual(x[0].findtext("description"), "草场承包合同咨询")
        for fmt in ("json", "xml"):
            for missing in ("999999", "0", "abc", "-1"):
                r, p = self.call("GET", "%s/requests/%s.%s" % (V2, missing, fmt))
                self.assert_error(r, p, 404, fmt)
        self.assert_error(*self.call("GET", "%s/requests/%s" % (V2, rid)), 404)
        self.assert_error(*self.call("GET", "%s/requests/%s.csv" % (V2, rid)), 404)
        # An order placed on the phone page shows no words, address or position of its own.
        r = self.new_client().post("/api/v1/public/orders", json={
            "node": "hutele", "category": "errand", "text": "请帮我买药，我住三组", "name": "王五",
            "phone": "13904761288", "lat": 43.95, "lon": 118.8})
        self.assertEqual(r.status, 201, r)
        one = self.get("%s/requests/%d.json" % (V2, r.json["id"]))[0]
        self.assertEqual((one["description"], one["address"], one["lat"], one["long"]),
                         (None, None, None, None))
        self.assertEqual(one["service_code"], "errand")

    def test_tokens(self):
        ans = self.post(self.form())
        rid, token = ans[0]["service_request_id"], ans[0]["token"]
        t = self.get("%s/tokens/%s.json" % (V2, token))
        self.assertEqual(t, [{"service_request_id": rid, "token": token}])
        x = self.get("%s/tokens/%s.xml" % (V2, token))
        self.assertEqual(x.tag, "service_requests")
        self.assertEqual([e.tag for e in x], ["request"])
        self.assertEqual([(e.tag, e.text) for e in x[0]],
                         [("service_request_id", rid), ("token", token)])
        for fmt in ("json", "xml"):
            for bad in ("AAAAAAAAAA", "short", token.lower()):
                self.assert_error(*self.call("GET", "%s/tokens/%s.%s" % (V2, bad, fmt)), 404, fmt)


class Open311WindowTest(Open311Case):
    """GET requests without dates covers the last 90 days."""

    @classmethod
    def prepare(cls):
        cls.key = new_key(cls.server.db, "hutele")

    def test_default_window_is_the_last_90_days(self):
        srv = self.server
        t0 = srv.now()
        rid = self.post(self.form())[0]["service_request_id"]
        self.assertIn(rid, {r["service_request_id"] for r in self.get(V2 + "/requests.json")})
        srv.advance(91 * 86400 * 1000)
        self.assertNotIn(rid, {r["service_request_id"] for r in self.get(V2 + "/requests.json")})
        old = self.get(V2 + "/requests.json?start_date=" + urllib.parse.quote(w3c(t0 - 1000)))
        self.assertIn(rid, {r["service_request_id"] for r in old})
        self.assertEqual(self.get("%s/requests/%s.json" % (V2, rid))[0]["service_request_id"], rid)


class Open311RateLimitTest(Open311Case):
    """POST is limited per api_key (--open311-rate per minute, the same burst); denied keys
    per client address (--login-rate), so they cannot flood the audit log."""
    serve_args = ("--open311-rate", "5", "--login-rate", "3")

    @classmethod
    def prepare(cls):
        cls.key = new_key(cls.server.db, "hutele")
        cls.other = new_key(cls.server.db, "hutele", "another client")

    def test_the_sixth_post_in_a_minute_is_429(self):
        statuses = [self.call("POST", V2 + "/requests.json", form=self.form())[0].status
                    for _ in range(5)]
        self.assertEqual(statuses, [201] * 5)
        r, p = self.call("POST", V2 + "/requests.xml", form=self.form())
        self.assert_error(r, p, 429, "xml")
        self.post(self.form(api_key=self.other))  # another key has its own bucket
        self.server.advance(13000)  # 5 a minute: one back every 12 s
        self.post(self.form())
        self.assert_error(*self.call("POST", V2 + "/requests.json", form=self.form()), 429)

    def test_denied_keys_are_limited_per_address(self):
        statuses = [self.call("POST", V2 + "/requests.json",
                              form=self.form(api_key="guess-%d" % i))[0].status for i in range(4)]
        self.assertEqual(statuses, [403, 403, 403, 429])
        a = self.as_user("auditor").get("/api/v1/audit?action=order.create&limit=100")
        denied = [e for e in a.json["items"] if e["result"] == "denied"]
        self.assertEqual(len(denied), 3)


@unittest.skipUnless(os.path.exists(NYC_CSV), "the NYC 311 sample is not here: " + NYC_CSV)
class Open311ImportTest(Open311Case):
    """The first 200 rows of the NYC 311 sample, posted through the API by
    scripts/open311_import.py, are orders the hotline rates count."""

    @classmethod
    def prepare(cls):
        cls.key = new_key(cls.server.db, "hutele", "nyc import")

    def rates(self):
        r = self.as_user("secretary").get("/api/v1/orders/rates?node=hutele&by=category")
        self.assertEqual(r.status, 200, r)
        return {g["group"]: g["orders"] for g in r.json["items"]}, r.json["total"]["orders"]

    def test_import_200_rows(self):
        imp = load_importer()
        before, total_before = self.rates()
        url = "http://127.0.0.1:%d" % self.server.port
        res = imp.import_rows(url, self.key, NYC_CSV, limit=200)
        refused = sum(res["refused"].values())
        self.assertEqual(res["created"] + refused, 200, res)
        self.assertGreaterEqual(res["created"], 190, res)
        for reason in res["refused"]:
            self.assertTrue(reason.startswith("400 "), res)
        self.assertEqual(sum(res["by_code"].values()), res["created"])
        self.assertTrue(set(res["by_code"]) <= set(SEEDED), res)
        # The rates by category count them, category by category.
        after, total_after = self.rates()
        self.assertEqual(total_after - total_before, res["created"])
        for code, n in res["by_code"].items():
            name = SEEDED[code]
            self.assertEqual(after.get(name, 0) - before.get(name, 0), n, (code, after, before))
        # They are ordinary orders of the village, placed through Open311 …
        items = self.as_user("secretary").get("/api/v1/orders?node=hutele").json["items"]
        mine = {str(i["id"]): i for i in items if str(i["id"]) in set(res["ids"])}
        self.assertEqual(len(mine), res["created"])
        self.assertEqual({i["source"] for i in mine.values()}, {"open311"})
        # … and service requests anyone can follow.
        listed = self.get(V2 + "/requests.json")
        self.assertTrue(set(res["ids"]) <= {r["service_request_id"] for r in listed})
        # The script's own report, run as a command.
        p = subprocess.run([sys.executable, os.path.join(REPO_ROOT, "scripts", "open311_import.py"),
                            "--url", url, "--api-key", self.key, "--limit", "5", NYC_CSV],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"(?m)^created [1-5]$")
        self.assertRegex(p.stdout, r"(?m)^refused [0-4]$")


if __name__ == "__main__":
    unittest.main()
