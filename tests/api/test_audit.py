"""The audit log: only the auditor reads it; filters by user, action (exact or prefix*),
time; paging; and what API writes record (user, ip, result)."""
import unittest
import urllib.parse

from harness import ServerTestCase, DEMO_USERS, DEMO_PASSWORD

ENTRY_KEYS = {"id", "ts", "user", "action", "object", "node", "ip", "result", "detail"}


class AuditTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        srv = cls.server
        cls.auditor = cls.as_user("auditor")
        admin = cls.as_user("admin")
        sec = cls.as_user("secretary")
        # Phase A
        cls.t_a = srv.now()
        r = admin.post("/api/v1/org/nodes", json={"parent": "daban", "code": "audit-v",
                                                   "name": "审计村", "level": "village"})
        assert r.status == 201, r
        cls.node_id = r.json["id"]
        r = sec.post("/api/v1/org/nodes", json={"parent": "hutele", "code": "audit-denied",
                                                 "name": "越权", "level": "group"})
        assert r.status == 403, r
        # Phase B, a minute later
        cls.t_b = srv.advance(60000)
        r = admin.patch("/api/v1/org/nodes/audit-v", json={"name": "审计新村"})
        assert r.status == 200, r
        r = admin.post("/api/v1/org/party-orgs", json={"node": "audit-v", "name": "审计村党支部",
                                                        "kind": "branch"})
        assert r.status == 201, r
        r = cls.server.client().login("county", "Wrong@2026")
        assert r.status == 401, r
        people = sec.get("/api/v1/people?node=hutele").json["items"]
        cls.person_id = people[0]["id"]
        r = sec.get("/api/v1/people/%d/id-number" % cls.person_id)
        assert r.status == 200, r
        # Phase C, a minute later
        cls.t_c = srv.advance(60000)
        v = cls.server.client()
        # Without --trust-proxy, X-Real-IP is ignored: the audit keeps the peer address.
        r = v.post("/api/v1/session", json={"username": "volunteer", "password": DEMO_PASSWORD},
                   headers={"X-Real-IP": "203.0.113.9"})
        assert r.status == 200, r
        v.csrf = r.json["csrf_token"]
        assert v.logout().status == 204

    def audit(self, **query):
        q = urllib.parse.urlencode(query)
        r = self.auditor.get("/api/v1/audit" + ("?" + q if q else ""))
        self.assertEqual(r.status, 200, r)
        return r.json

    def everything(self, **query):
        body = self.audit(limit=500, **query)
        self.assertIsNone(body["next"], "more than 500 entries")
        return body["items"]

    def test_only_the_auditor_may_read(self):
        self.assertEqual(self.auditor.get("/api/v1/audit").status, 200)
        for user in DEMO_USERS:
            if user == "auditor":
                continue
            r = self.as_user(user).get("/api/v1/audit")
            self.assert_problem(r, 403, "auth.forbidden")
            self.assertNotIn("items", r.json)
        self.assert_problem(self.new_client().get("/api/v1/audit"), 401, "auth.required")
        # The refusals are recorded, the system admin's included.
        denied = self.everything(action="audit.read")
        who = {e["user"] for e in denied if e["result"] == "denied"}
        self.assertEqual(who, set(DEMO_USERS) - {"auditor"})

    def test_entries_are_newest_first_with_all_fields(self):
        items = self.everything()
        self.assertGreater(len(items), 20)
        ids = [e["id"] for e in items]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(ids[-1], 1)
        for e in items:
            self.assertEqual(set(e), ENTRY_KEYS, e)
            self.assertIsInstance(e["ts"], int)
            self.assertIn(e["result"], ("ok", "denied", "failed"), e)
        tss = [e["ts"] for e in items]
        self.assertEqual(tss, sorted(tss, reverse=True))

    def test_writes_are_recorded_with_user_ip_and_result(self):
        items = self.everything()
        def one(action, user):
            found = [e for e in items if e["action"] == action and e["user"] == user]
            self.assertGreaterEqual(len(found), 1, "%s by %s not in the log" % (action, user))
            return found[0]
        e = one("org.node.create", "admin")
        self.assertEqual((e["ip"], e["result"], e["object"]),
                         ("127.0.0.1", "ok", "org_node:%d" % self.node_id))
        self.assertEqual(e["node"]["code"], "audit-v")
        self.assertIn("audit-v", e["detail"])
        e = one("org.node.rename", "admin")
        self.assertEqual((e["ip"], e["result"]), ("127.0.0.1", "ok"))
        self.assertIn("审计新村", e["detail"])
        e = one("org.party_org.create", "admin")
        self.assertEqual(e["result"], "ok")
        e = one("org.node.create", "secretary")
        self.assertEqual((e["ip"], e["result"]), ("127.0.0.1", "denied"))
        failed = [x for x in items if x["action"] == "session.login" and x["user"] == "county"
                  and x["result"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["ip"], "127.0.0.1")
        self.assertEqual(failed[0]["detail"], "wrong password")
        e = one("session.login", "volunteer")
        self.assertEqual((e["ip"], e["result"]), ("127.0.0.1", "ok"))  # X-Real-IP ignored
        e = one("session.logout", "volunteer")
        self.assertEqual((e["ip"], e["result"]), ("127.0.0.1", "ok"))
        e = one("person.read_id_number", "secretary")
        self.assertEqual(e["object"], "person:%d" % self.person_id)
        self.assertEqual(e["node"]["code"], "hutele")

    def test_filter_by_user(self):
        items = self.everything(user="secretary")
        self.assertTrue(items)
        self.assertTrue(all(e["user"] == "secretary" for e in items))
        self.assertEqual([e["id"] for e in items],
                         [e["id"] for e in self.everything() if e["user"] == "secretary"])
        self.assertEqual(self.everything(user="nobody"), [])
        self.assertEqual(self.everything(user="secret"), [])

    def test_filter_by_exact_action(self):
        items = self.everything(action="org.node.rename")
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0]["user"], "admin")
        logins = self.everything(action="session.login")
        self.assertTrue(logins)
        self.assertTrue(all(e["action"] == "session.login" for e in logins))
        self.assertEqual(self.everything(action="org.node"), [])

    def test_filter_by_action_prefix(self):
        items = self.everything(action="org.*")
        actions = {e["action"] for e in items}
        self.assertTrue({"org.node.create", "org.node.rename", "org.party_org.create"} <= actions,
                        actions)
        self.assertTrue(all(a.startswith("org.") for a in actions), actions)
        self.assertEqual([e["id"] for e in items],
                         [e["id"] for e in self.everything() if e["action"].startswith("org.")])
        both = self.everything(action="org.*", user="admin")
        self.assertTrue(both)
        self.assertTrue(all(e["user"] == "admin" and e["action"].startswith("org.") for e in both))

    def test_action_filter_treats_sql_wildcards_literally(self):
        """Only a trailing * is a wildcard: % and _ are ordinary characters."""
        self.assertEqual(self.everything(action="%"), [],
                         "action=% must match no entry (it matches every entry)")
        self.assertEqual(self.everything(action="org.node.renam_"), [])
        self.assertEqual(self.everything(action="org.%"), [])

    def test_action_filter_is_case_sensitive_on_every_backend(self):
        self.assertEqual(self.everything(action="ORG.NODE.RENAME"), [])
        self.assertEqual(self.everything(action="ORG.*"), [],
                         "the prefix filter must be case-sensitive like the exact one")

    def test_filter_by_time(self):
        full = self.everything()
        phase_b = [e["id"] for e in full if self.t_b <= e["ts"] < self.t_c]
        self.assertGreaterEqual(len(phase_b), 4)
        got = self.everything(**{"from": self.t_b, "to": self.t_c})
        self.assertEqual([e["id"] for e in got], phase_b)
        actions = {e["action"] for e in got}
        self.assertTrue({"org.node.rename", "org.party_org.create", "session.login",
                         "person.read_id_number"} <= actions, actions)
        self.assertNotIn("org.node.create", actions)
        # from is inclusive, to exclusive.
        e = got[-1]
        only = self.everything(**{"from": e["ts"], "to": e["ts"] + 1})
        self.assertIn(e["id"], [x["id"] for x in only])
        self.assertTrue(all(x["ts"] == e["ts"] for x in only))
        self.assertNotIn(e["id"], [x["id"] for x in self.everything(to=e["ts"])])
        early = self.everything(to=self.t_b)
        self.assertTrue(all(x["ts"] < self.t_b for x in early))
        self.assertIn("org.node.create", {x["action"] for x in early})

    def test_paging_covers_everything_without_overlap(self):
        full = self.everything()
        top = full[0]["id"]
        seen, pages, before = [], 0, top + 1
        while True:
            body = self.audit(limit=7, before=before)
            items = body["items"]
            self.assertLessEqual(len(items), 7)
            ids = [e["id"] for e in items]
            self.assertEqual(ids, sorted(ids, reverse=True))
            self.assertFalse(set(ids) & set(seen), "pages overlap")
            self.assertTrue(all(i < before for i in ids))
            seen += ids
            pages += 1
            if body["next"] is None:
                break
            self.assertEqual(len(items), 7)
            before = body["next"]
            self.assertLess(pages, 200)
        self.assertEqual(seen, [e["id"] for e in full])
        self.assertGreater(pages, 3)

    def test_paging_with_a_filter(self):
        want = [e["id"] for e in self.everything(action="session.*")]
        self.assertGreater(len(want), 4)
        seen, before = [], None
        while True:
            q = {"action": "session.*", "limit": 2}
            if before:
                q["before"] = before
            body = self.audit(**q)
            seen += [e["id"] for e in body["items"]]
            if body["next"] is None:
                break
            before = body["next"]
        # New session.* entries cannot appear meanwhile: only the auditor is reading.
        self.assertEqual(seen, want)

    def test_reading_is_itself_audited(self):
        self.audit(limit=1)
        items = self.audit(limit=5, action="audit.read", user="auditor")["items"]
        self.assertTrue(items)
        self.assertEqual(items[0]["result"], "ok")
        self.assertEqual(items[0]["object"], "audit_log")

    def test_a_county_auditor_sees_only_the_county(self):
        sec = self.as_user("security")
        r = sec.post("/api/v1/users", json={"username": "county.auditor", "display_name": "旗审计",
                                            "password": "Grass-Land7", "role": "auditor",
                                            "node": "balinyouqi"})
        self.assertEqual(r.status, 201, r)
        ca = self.login("county.auditor", "Grass-Land7")
        r = ca.get("/api/v1/audit?limit=500")
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertTrue(items)
        codes = {e["node"]["code"] for e in items if e["node"]}
        self.assertTrue(all(e["node"] for e in items), "entries without a node are not the "
                        "county's: %s" % [e for e in items if not e["node"]][:3])
        self.assertFalse(codes & {"root", "chifeng"}, codes)
        self.assertIn("person.read_id_number", {e["action"] for e in items})
        self.assertIn("audit-v", codes)

    def test_bad_query_arguments_are_400(self):
        for q, field in (("limit=0", "limit"), ("limit=501", "limit"), ("limit=abc", "limit"),
                         ("from=-1", "from"), ("to=soon", "to"), ("before=x1", "before")):
            r = self.auditor.get("/api/v1/audit?" + q)
            self.assert_problem(r, 400, "request.bad_query", field)
        r = self.auditor.get("/api/v1/audit?user=" + "u" * 65)
        self.assert_problem(r, 400, "request.bad_query")


if __name__ == "__main__":
    unittest.main()
