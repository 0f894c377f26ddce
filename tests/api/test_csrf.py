"""CSRF: every state-changing request made with the session cookie needs X-CSRF-Token with
the token of that session; without it nothing changes."""
import unittest

from harness import ServerTestCase


class CsrfTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        cls.admin = cls.as_user("admin")

    def node_name(self, ref):
        r = self.admin.get("/api/v1/org/nodes/" + ref)
        self.assertEqual(r.status, 200, r)
        return r.json["name"]

    def test_post_without_token_is_403_csrf_missing_and_changes_nothing(self):
        body = {"parent": "daban", "code": "csrf-a", "name": "无令牌村", "level": "village"}
        r = self.admin.post("/api/v1/org/nodes", json=body, csrf=False)
        self.assert_problem(r, 403, "csrf.missing")
        self.assert_problem(self.admin.get("/api/v1/org/nodes/csrf-a"), 404, "org.node_not_found")

    def test_post_with_wrong_token_is_403(self):
        body = {"parent": "daban", "code": "csrf-b", "name": "错令牌村", "level": "village"}
        r = self.admin.post("/api/v1/org/nodes", json=body,
                            headers={"X-CSRF-Token": "0" * len(self.admin.csrf)})
        self.assert_problem(r, 403, "csrf.missing")
        r = self.admin.post("/api/v1/org/nodes", json=body, headers={"X-CSRF-Token": ""})
        self.assert_problem(r, 403, "csrf.missing")
        self.assert_problem(self.admin.get("/api/v1/org/nodes/csrf-b"), 404, "org.node_not_found")

    def test_post_with_the_right_token_succeeds(self):
        body = {"parent": "daban", "code": "csrf-c", "name": "有令牌村", "level": "village"}
        r = self.admin.post("/api/v1/org/nodes", json=body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["code"], "csrf-c")

    def test_token_of_another_session_is_refused(self):
        other = self.login("admin")
        body = {"parent": "daban", "code": "csrf-d", "name": "他人令牌村", "level": "village"}
        r = self.admin.post("/api/v1/org/nodes", json=body, headers={"X-CSRF-Token": other.csrf})
        self.assert_problem(r, 403, "csrf.missing")

    def test_patch_and_delete_need_the_token_too(self):
        before = self.node_name("hutele")
        r = self.admin.patch("/api/v1/org/nodes/hutele", json={"name": "改名"}, csrf=False)
        self.assert_problem(r, 403, "csrf.missing")
        self.assertEqual(self.node_name("hutele"), before)
        c = self.login("volunteer")
        self.assert_problem(c.delete("/api/v1/session", csrf=False), 403, "csrf.missing")
        self.assertEqual(c.get("/api/v1/me").status, 200)  # still signed in
        self.assertEqual(c.logout().status, 204)

    def test_gets_need_no_token(self):
        self.assertEqual(self.admin.get("/api/v1/me").status, 200)


if __name__ == "__main__":
    unittest.main()
