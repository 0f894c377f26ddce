"""Bad input everywhere: broken encodings and JSON, wrong types, oversized bodies and URLs,
unknown paths and methods, bad ids, and a thousand junk bodies each at two endpoints. Every
answer must be a 4xx problem+json, and the server must stay healthy."""
import collections
import json
import os
import random
import unittest

from harness import ServerTestCase, raw_exchange, DEMO_PASSWORD

MAX_BODY = 1 << 20
FUZZ_SEED = int(os.environ.get("TALA_FUZZ_SEED", "20261126"))
FUZZ_COUNT = 1000


def request_bytes(method, path, body, headers=()):
    head = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1", "Connection: close"]
    head += list(headers)
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class BadInputTest(ServerTestCase):
    # The junk at POST /api/v1/session must reach the JSON parser, not the sign-in rate limit
    # (which has its own test with the default settings).
    serve_args = ("--login-rate", "100000")

    @classmethod
    def prepare(cls):
        cls.admin = cls.as_user("admin")
        cls.sec = cls.as_user("secretary")
        cls.security = cls.as_user("security")
        cls.anon = cls.server.client()

    def assert_healthy(self):
        r = self.new_client().get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "ok")

    # ---- encodings and JSON ----

    def test_invalid_utf8_in_a_json_body_is_400_invalid_utf8(self):
        for body in (b'{"username":"\xff\xfe"}',
                     b'{"username":"\xc0\xaf","password":"x"}',          # overlong
                     b'{"username":"\xed\xa0\x80","password":"x"}',      # surrogate
                     b'{"username":"\xe4\xb8","password":"x"}',          # truncated
                     b'{"username":"\xf5\x80\x80\x80","password":"x"}',  # above U+10FFFF
                     b'{"\xff":1}'):
            self.assert_problem(self.anon.post("/api/v1/session", raw_body=body), 400,
                                "request.invalid_utf8")
        r = self.admin.post("/api/v1/org/nodes", raw_body=b'{"parent":"daban","code":"u8",'
                            b'"name":"\xe5\xb7","level":"village"}')
        self.assert_problem(r, 400, "request.invalid_utf8")

    def test_invalid_utf8_in_a_query_is_refused(self):
        r = self.sec.get("/api/v1/people?node=hutele&q=%FF%FE")
        self.assert_problem(r, 400, "request.invalid_utf8")

    def test_malformed_json_is_400(self):
        for body in (b'{"username":', b"{username: 'admin'}", b'{"a":1,}', b"", b"  ",
                     b'{"username":"a","password":"b"} trailing', b'{"a":1e400}',
                     b'{"a":123456789012345678901234567890}', b'{"a":"x\x01"}',
                     b'{"a":"\\ud800"}', b'{"a":"a\\u0000b"}', b'{"a":1,"a":2}', b"nul",
                     b'"a string"', b"null", b"42"):
            r = self.anon.post("/api/v1/session", raw_body=body)
            self.assert_problem(r, 400, "request.malformed_json")

    def test_a_json_array_instead_of_an_object_is_400(self):
        self.assert_problem(self.anon.post("/api/v1/session", raw_body=b'["admin","x"]'), 400,
                            "request.malformed_json")
        r = self.sec.post("/api/v1/households", raw_body=b'[{"node":"hutele"}]')
        self.assert_problem(r, 400, "request.malformed_json")

    def test_nesting_deeper_than_16_is_400_too_deep(self):
        def nested(depth):  # the object itself is level 1
            inner = depth - 1
            return ('{"username":' + "[" * inner + "]" * inner + "}").encode()
        self.assert_problem(self.anon.post("/api/v1/session", raw_body=nested(17)), 400,
                            "request.too_deep")
        self.assert_problem(self.anon.post("/api/v1/session", raw_body=nested(16)), 400,
                            "request.bad_field", "username")
        deep = b'{"a":' + b'{"a":' * 5000 + b"1" + b"}" * 5001
        self.assert_problem(self.anon.post("/api/v1/session", raw_body=deep), 400,
                            "request.too_deep")
        unclosed = b"[" * 100000
        self.assert_problem(self.anon.post("/api/v1/session", raw_body=unclosed), 400,
                            "request.too_deep")
        # Brackets inside strings do not count.
        r = self.anon.post("/api/v1/session",
                           json={"username": "[" * 40, "password": "{" * 40})
        self.assert_problem(r, 401, "auth.bad_credentials")
        self.assert_healthy()

    def test_wrong_types_are_400_bad_field_naming_the_field(self):
        cases = [
            (self.anon, "/api/v1/session", {"username": 123, "password": "x"}, "username"),
            (self.anon, "/api/v1/session", {"username": "admin", "password": ["x"]}, "password"),
            (self.anon, "/api/v1/session", {"username": "admin", "password": "x", "totp": 123456},
             "totp"),
            (self.sec, "/api/v1/people", {"node": "hutele", "name": "x", "household": "abc"},
             "household"),
            (self.sec, "/api/v1/people", {"node": "hutele", "name": "x", "household": 1.5},
             "household"),
            (self.sec, "/api/v1/people", {"node": "hutele", "name": 42}, "name"),
            (self.sec, "/api/v1/people", {"node": "hutele", "name": "x", "gender": "x"}, "gender"),
            (self.sec, "/api/v1/people", {"node": "hutele", "name": "x", "is_party_member": "yes"},
             "is_party_member"),
            (self.sec, "/api/v1/people", {"node": "hutele", "name": "x", "phone": "call me"},
             "phone"),
            (self.sec, "/api/v1/people", {"node": {"code": "hutele"}, "name": "x"}, "node"),
            (self.sec, "/api/v1/households", {"node": "hutele", "head_name": ["a"], "members": 1},
             "head_name"),
            (self.sec, "/api/v1/households", {"node": "hutele", "head_name": "a", "members": True},
             "members"),
            (self.admin, "/api/v1/org/nodes",
             {"parent": True, "code": "t1", "name": "n", "level": "village"}, "parent"),
            (self.admin, "/api/v1/org/nodes",
             {"parent": -3, "code": "t1", "name": "n", "level": "village"}, "parent"),
            (self.admin, "/api/v1/org/nodes",
             {"parent": "daban", "code": 7, "name": "n", "level": "village"}, "code"),
            (self.admin, "/api/v1/org/nodes",
             {"parent": "daban", "code": "t1", "name": "n" * 101, "level": "village"}, "name"),
            (self.admin, "/api/v1/org/nodes",
             {"parent": "daban", "code": "t1", "name": "a\u0000b", "level": "village"}, None),
            (self.admin, "/api/v1/test/clock", {"advance_ms": "10"}, "advance_ms"),
            (self.admin, "/api/v1/test/clock", {"advance_ms": -1}, "advance_ms"),
        ]
        for client, path, body, field in cases:
            r = client.post(path, json=body)
            if field is None:  # \u0000 is refused by the parser already
                self.assertEqual(r.status, 400, r)
                continue
            self.assert_problem(r, 400, "request.bad_field", field)

    def test_missing_required_fields_are_400(self):
        r = self.admin.post("/api/v1/org/nodes", json={})
        self.assert_problem(r, 400, "request.bad_field", "parent")
        r = self.sec.post("/api/v1/people", json={"node": "hutele"})
        self.assert_problem(r, 400, "request.bad_field", "name")
        r = self.sec.post("/api/v1/households", json={"node": "hutele"})
        self.assert_problem(r, 400, "request.bad_field", "head_name")

    # ---- sizes ----

    def test_body_over_1_mib_is_413(self):
        body = b'{"username":"' + b"a" * MAX_BODY + b'","password":"x"}'
        data = request_bytes("POST", "/api/v1/session", body,
                             ["Content-Type: application/json",
                              "Content-Length: %d" % len(body)])
        status, headers, raw = raw_exchange(self.server.port, data)
        self.assertEqual(status, 413, raw[:300])
        self.assertTrue(headers.get("content-type", "").startswith("application/problem+json"))
        self.assertEqual(json.loads(raw)["code"], "request.body_too_large")
        self.assert_healthy()

    def test_chunked_body_over_1_mib_is_413_not_a_hang(self):
        chunk = b"a" * 65536
        parts = [request_bytes("POST", "/api/v1/session", b"",
                               ["Content-Type: application/json",
                                "Transfer-Encoding: chunked"]),
                 b"%x\r\n" % 13 + b'{"username":"' + b"\r\n"]
        for _ in range(MAX_BODY // len(chunk) + 2):
            parts.append(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        parts.append(b"%x\r\n" % 17 + b'","password":"x"}' + b"\r\n0\r\n\r\n")
        status, headers, raw = raw_exchange(self.server.port, parts, timeout=20)
        self.assertEqual(status, 413, raw[:300])
        self.assertEqual(json.loads(raw)["code"], "request.body_too_large")
        self.assert_healthy()

    def test_chunked_body_under_the_limit_is_read(self):
        body = json.dumps({"username": "nobody", "password": "x"}).encode()
        data = request_bytes("POST", "/api/v1/session", b"",
                             ["Content-Type: application/json", "Transfer-Encoding: chunked"])
        data += b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        status, _, raw = raw_exchange(self.server.port, data)
        self.assertEqual(status, 401, raw)
        self.assertEqual(json.loads(raw)["code"], "auth.bad_credentials")

    def test_body_of_exactly_1_mib_is_accepted(self):
        core = json.dumps({"username": "nobody", "password": "x"}).encode()
        body = core + b" " * (MAX_BODY - len(core))
        self.assertEqual(len(body), MAX_BODY)
        self.assert_problem(self.anon.post("/api/v1/session", raw_body=body), 401,
                            "auth.bad_credentials")

    def test_non_json_content_type_is_415(self):
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                      "application/xml"):
            r = self.anon.post("/api/v1/session", raw_body=b"username=admin&password=x",
                               headers={"Content-Type": ctype})
            self.assert_problem(r, 415, "request.unsupported_media_type")
        r = self.admin.post("/api/v1/org/nodes", raw_body=b'{"parent":"daban"}',
                            headers={"Content-Type": "text/plain"})
        self.assert_problem(r, 415, "request.unsupported_media_type")
        r = self.anon.post("/api/v1/session",
                           raw_body=json.dumps({"username": "nobody", "password": "x"}),
                           headers={"Content-Type": "application/json; charset=utf-8"})
        self.assert_problem(r, 401, "auth.bad_credentials")

    def test_url_longer_than_2048_bytes_is_414(self):
        r = self.sec.get("/api/v1/" + "a" * 2100)
        self.assert_problem(r, 414, "request.url_too_long")
        r = self.anon.get("/api/v1/org/nodes/" + "x" * 5000)
        self.assert_problem(r, 414, "request.url_too_long")
        path = "/api/v1/"
        r = self.sec.get(path + "b" * (2048 - len(path)))  # exactly 2048: allowed
        self.assert_problem(r, 404, "request.not_found")
        self.assert_healthy()

    def test_a_2048_byte_url_with_8_kib_of_headers_fits_the_connection_pool(self):
        # The per-connection memory pool is --max-url + 16 KB: the longest URL allowed and a
        # header as long as nginx passes on (8 KB a line) must still be read and answered.
        path = "/api/v1/"
        r = self.sec.get(path + "b" * (2048 - len(path)), headers={"X-Pad": "p" * 8192})
        self.assert_problem(r, 404, "request.not_found")
        self.assert_healthy()

    def test_url_whose_query_makes_it_longer_than_2048_bytes_is_414(self):
        url = "/api/v1/people?node=hutele&pad=" + "b" * 2100
        self.assertGreater(len(url), 2048)
        self.assert_problem(self.sec.get(url), 414, "request.url_too_long")

    # ---- paths, methods, ids ----

    def test_unknown_path_is_404_not_found(self):
        for path in ("/api/v1/nope", "/api/v2/session", "/api/v1/people/1/2/3", "/api",
                     "/api/v1/session/extra"):
            self.assert_problem(self.anon.get(path), 404, "request.not_found")
        self.assert_problem(self.sec.get("/api/v1/nope"), 404, "request.not_found")
        self.assert_problem(self.sec.post("/api/v1/nope", json={}), 404, "request.not_found")

    def test_wrong_method_is_405_with_allow(self):
        for method, path, allow in (("PUT", "/api/v1/session", "POST, DELETE"),
                                    ("GET", "/api/v1/session", "POST, DELETE"),
                                    ("DELETE", "/healthz", "GET, HEAD"),
                                    ("POST", "/healthz", "GET, HEAD"),
                                    ("PATCH", "/api/v1/people", "GET, HEAD, POST"),
                                    ("POST", "/api/v1/audit", "GET, HEAD"),
                                    ("DELETE", "/api/v1/org/nodes/hutele", "GET, HEAD, PATCH"),
                                    ("OPTIONS", "/api/v1/session", "POST, DELETE")):
            r = self.anon.request(method, path)
            self.assert_problem(r, 405, "request.method_not_allowed")
            self.assertEqual(r.headers.get("Allow"), allow, (method, path))

    def test_head_healthz_is_200_without_body(self):
        r = self.anon.head("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.raw, b"")
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))

    def test_unknown_numeric_ids_are_404(self):
        self.assert_problem(self.sec.get("/api/v1/people/999999"), 404, "person.not_found")
        self.assert_problem(self.sec.get("/api/v1/people/999999999999999999"), 404,
                            "person.not_found")
        self.assert_problem(self.sec.get("/api/v1/people/999999/id-number"), 404,
                            "person.not_found")
        self.assert_problem(self.sec.get("/api/v1/households/999999"), 404,
                            "household.not_found")
        self.assert_problem(self.sec.get("/api/v1/org/nodes/999999"), 404, "org.node_not_found")
        self.assert_problem(self.security.post("/api/v1/users/999999/unlock"), 404,
                            "user.not_found")
        self.assert_problem(self.security.post("/api/v1/users/999999/roles",
                                               json={"role": "volunteer", "node": "hutele"}),
                            404, "user.not_found")
        uid = self.sec.get("/api/v1/me").json["user"]["id"]
        self.assert_problem(self.security.delete("/api/v1/users/%d/roles/999999" % uid), 404,
                            "grant.not_found")

    def test_non_numeric_ids_are_400_bad_id(self):
        for path in ("/api/v1/people/abc", "/api/v1/people/12abc", "/api/v1/people/0",
                     "/api/v1/people/-1", "/api/v1/people/1e3", "/api/v1/people/%20",
                     "/api/v1/people/" + "9" * 19, "/api/v1/people/abc/id-number",
                     "/api/v1/households/abc", "/api/v1/households/0x10"):
            self.assert_problem(self.sec.get(path), 400, "request.bad_id")
        self.assert_problem(self.security.post("/api/v1/users/abc/unlock"), 400, "request.bad_id")
        self.assert_problem(self.security.post("/api/v1/users/abc/roles",
                                               json={"role": "volunteer", "node": "hutele"}),
                            400, "request.bad_id")
        uid = self.sec.get("/api/v1/me").json["user"]["id"]
        self.assert_problem(self.security.delete("/api/v1/users/%d/roles/abc" % uid), 400,
                            "request.bad_id")

    def test_bad_query_arguments(self):
        self.assert_problem(self.sec.get("/api/v1/org/nodes?parent="), 400, "request.bad_query",
                            "parent")
        self.assert_problem(self.sec.get("/api/v1/people?node=hutele&household=abc"), 400,
                            "request.bad_query", "household")
        self.assert_problem(self.sec.get("/api/v1/people?q=" + "x" * 101), 400,
                            "request.bad_query")

    def test_error_answers_carry_the_security_headers(self):
        answers = {
            "404": self.anon.get("/api/v1/nope"),
            "401": self.anon.get("/api/v1/me"),
            "405": self.anon.request("PUT", "/api/v1/session"),
            "415": self.anon.post("/api/v1/session", raw_body=b"x",
                                  headers={"Content-Type": "text/plain"}),
            "414": self.sec.get("/api/v1/" + "a" * 2100),
            "403": self.sec.get("/api/v1/audit"),
        }
        for what, r in answers.items():
            self.assertEqual(str(r.status), what, r)
            for name, value in (("X-Content-Type-Options", "nosniff"),
                                ("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")):
                self.assertEqual(r.headers.get(name), value,
                                 "%s answer lacks %s: %s" % (what, name, r.headers.items()))

    def test_static_path_traversal_is_refused(self):
        for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                     "/..%2f..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd",
                     "/assets/..%5c..%5c..%5cetc%5cpasswd", "/index.html/../../../etc/passwd"):
            r = self.anon.get(path)
            self.assertNotIn(b"root:", r.raw, path)
            self.assert_problem(r, 404, "request.not_found")
        r = self.anon.get("/")
        self.assertEqual(r.status, 200, r)
        self.assertIn(b"tala test", r.raw)

    # ---- junk ----

    def junk(self, rng, templates, forbid_string_pairs):
        """One junk body (bytes) and a Content-Type (or None to send none)."""
        kind = rng.randrange(11)
        tpl = rng.choice(templates)
        specials = b'{}[],:"\\\x00\xff\xfe\xc0\xed\x80\n\t 0-eE.+tfn'
        if kind == 0:
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        elif kind == 1:
            body = bytes(rng.randrange(32, 127) for _ in range(rng.randrange(1, 300)))
        elif kind == 2:
            body = tpl[:rng.randrange(0, len(tpl))]
        elif kind == 3:
            b = bytearray(tpl)
            for _ in range(rng.randrange(1, 6)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            body = bytes(b)
        elif kind == 4:
            b = bytearray(tpl)
            for _ in range(rng.randrange(1, 6)):
                b.insert(rng.randrange(len(b) + 1), rng.choice(specials))
            body = bytes(b)
        elif kind == 5:
            depth = rng.randrange(10, 60)
            opener = rng.choice([b"[", b'{"a":', b'{"username":['])
            body = opener * depth + b"1" + (b"]" if opener == b"[" else b"}") * rng.randrange(depth)
        elif kind == 6:
            body = rng.choice([b"1", b"-0", b"true", b"null", b'"str"', b"[]", b"[{}]", b"1e999",
                               b"[" + b"1," * 1000 + b"1]", b"\xef\xbb\xbf{}", b"{}" * 3])
        elif kind == 7:
            keys = ["username", "password", "totp", "parent", "code", "name", "level", "node",
                    "x", "", "username\u0000", "名字"]
            values = [0, -1, 2 ** 63, -2 ** 63, 1.5, True, False, None, [], {}, [1, [2, [3]]],
                      {"a": {"b": None}}, "", "a" * rng.randrange(300), "\u202e\ufeff",
                      "daban", "'; DROP TABLE users;--", "\U0001f600" * 20]
            obj = {rng.choice(keys): rng.choice(values) for _ in range(rng.randrange(0, 8))}
            if forbid_string_pairs and isinstance(obj.get("username"), str) and \
                    isinstance(obj.get("password"), str):
                obj["password"] = 0  # keep argon2 out of the fuzz loop
            obj.pop("level", None)
            body = json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode()
        elif kind == 8:
            bad = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe4\xb8", b"\xf8\x88\x80",
                              b"\x80", b"\xf4\x90\x80\x80"])
            b = bytearray(tpl)
            pos = tpl.index(b'":"') + 3 if b'":"' in tpl else 1
            b[pos:pos] = bad
            body = bytes(b)
        elif kind == 9:
            esc = rng.choice([b"\\ud800", b"\\udc00\\ud800", b"\\u0000", b"\\x41", b"\\", b"\\u12",
                              b"\\uZZZZ", b"\\/\\b\\f\\n\\r\\t"])
            b = bytearray(tpl)
            pos = tpl.index(b'":"') + 3 if b'":"' in tpl else 1
            b[pos:pos] = esc
            body = bytes(b)
        else:
            body = tpl.replace(b'"', b"'") if rng.random() < 0.5 else tpl + tpl
        ctype = rng.choice(["application/json"] * 8 + [None, "text/plain",
                                                       "application/json; charset=latin1"])
        return body, ctype

    def fuzz(self, client, path, templates, forbid_string_pairs):
        rng = random.Random("%s:%s" % (FUZZ_SEED, path))
        seen = collections.Counter()
        for i in range(FUZZ_COUNT):
            body, ctype = self.junk(rng, templates, forbid_string_pairs)
            headers = {"Content-Type": ctype}
            r = client.post(path, raw_body=body, headers=headers)
            msg = "seed %s, junk #%d at %s: %r -> %r" % (FUZZ_SEED, i, path, body[:200], r)
            self.assertTrue(400 <= r.status < 500, msg)
            self.assertTrue(r.headers.get("Content-Type", "").startswith(
                "application/problem+json"), msg)
            self.assertIsInstance(r.json, dict, msg)
            self.assertEqual(r.json.get("status"), r.status, msg)
            seen[(r.status, r.json.get("code"))] += 1
        return seen

    def test_junk_bodies_at_session_and_org_nodes_get_4xx_problems(self):
        session_tpl = [b'{"username":"fuzz","password":0}', b'{"username":"admin"}',
                       b'{"username":"admin","password":null,"totp":"123456"}',
                       b'{"password":"x"}']
        node_tpl = [b'{"parent":"daban","code":"fz","name":"\xe6\xb5\x8b"}',
                    b'{"parent":12,"code":"fz-1","name":"x"}', b'{"parent":"nowhere","code":"a"}']
        seen = self.fuzz(self.anon, "/api/v1/session", session_tpl, True)
        seen += self.fuzz(self.admin, "/api/v1/org/nodes", node_tpl, False)
        # The junk reached the parser and the field checks, not only one early refusal.
        codes = {c for _, c in seen}
        self.assertTrue({"request.malformed_json", "request.bad_field", "request.invalid_utf8",
                         "request.too_deep", "request.unsupported_media_type"} <= codes, seen)
        self.assert_healthy()
        # Sessions and sign-in still work.
        self.assertEqual(self.admin.get("/api/v1/me").status, 200)
        self.assertEqual(self.new_client().login("volunteer", DEMO_PASSWORD).status, 200)

    def test_garbage_http_requests_do_not_hurt_the_server(self):
        rng = random.Random(FUZZ_SEED)
        for _ in range(40):
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
            if rng.random() < 0.5:
                junk = b"POST /api/v1/session HTTP/1.1\r\n" + junk
            status, _, _ = raw_exchange(self.server.port, junk + b"\r\n\r\n", timeout=5,
                                        half_close=True)
            self.assertTrue(status is None or 400 <= status < 500, status)
        self.assert_healthy()


if __name__ == "__main__":
    unittest.main()
