"""Accounts and roles, with separation of duties: only the security admin manages accounts,
and nobody changes their own roles."""
import unittest

from harness import ServerTestCase

PW = "Grass-Land7"


class UsersRolesTest(ServerTestCase):
    @classmethod
    def prepare(cls):
        cls.sec = cls.as_user("security")

    def create(self, client, username, role="township_staff", node="daban", password=PW):
        return client.post("/api/v1/users", json={
            "username": username, "display_name": "用户 " + username, "password": password,
            "role": role, "node": node})

    def listed(self, username):
        r = self.sec.get("/api/v1/users")
        self.assertEqual(r.status, 200, r)
        rows = [u for u in r.json["items"] if u["username"] == username]
        return rows[0] if rows else None

    def test_security_creates_a_user_with_a_role_on_a_node(self):
        r = self.create(self.sec, "daban.staff", "township_staff", "daban")
        self.assertEqual(r.status, 201, r)
        u = r.json
        self.assertEqual(u["username"], "daban.staff")
        self.assertEqual(u["display_name"], "用户 daban.staff")
        self.assertIs(u["totp"], False)
        self.assertEqual(len(u["roles"]), 1)
        self.assertEqual(u["roles"][0]["role"], "township_staff")
        self.assertEqual(u["roles"][0]["node"]["code"], "daban")
        self.assertEqual(u["roles"][0]["node"]["level"], "town")
        self.assertNotIn("password", u)
        row = self.listed("daban.staff")
        self.assertEqual(row["id"], u["id"])
        self.assertIs(row["locked"], False)
        # The new account works and sees its own node.
        c = self.login("daban.staff", PW)
        roots = c.get("/api/v1/org/nodes").json["items"]
        self.assertEqual([n["code"] for n in roots], ["daban"])

    def test_grant_and_remove_roles(self):
        u = self.create(self.sec, "granted", "volunteer", "hutele").json
        r = self.sec.post("/api/v1/users/%d/roles" % u["id"],
                          json={"role": "branch_secretary", "node": "bayanhan"})
        self.assertEqual(r.status, 201, r)
        grant = r.json["id"]
        self.assertIsInstance(grant, int)
        row = self.listed("granted")
        self.assertIn(("branch_secretary", "bayanhan"),
                      [(g["role"], g["node"]["code"]) for g in row["roles"]])
        c = self.login("granted", PW)
        self.assertEqual(c.get("/api/v1/people?node=bayanhan").status, 200)
        # The same grant twice is a conflict.
        r = self.sec.post("/api/v1/users/%d/roles" % u["id"],
                          json={"role": "branch_secretary", "node": "bayanhan"})
        self.assert_problem(r, 409, "grant.exists")
        r = self.sec.delete("/api/v1/users/%d/roles/%d" % (u["id"], grant))
        self.assertEqual(r.status, 204, r)
        row = self.listed("granted")
        self.assertEqual([(g["role"], g["node"]["code"]) for g in row["roles"]],
                         [("volunteer", "hutele")])
        # The removal takes effect on the existing session.
        self.assert_problem(c.get("/api/v1/people?node=bayanhan"), 403, "auth.forbidden")
        r = self.sec.delete("/api/v1/users/%d/roles/%d" % (u["id"], grant))
        self.assert_problem(r, 404, "grant.not_found")

    def test_bad_grants(self):
        u = self.create(self.sec, "badgrants", "volunteer", "hutele").json
        r = self.sec.post("/api/v1/users/%d/roles" % u["id"], json={"role": "king", "node": "root"})
        self.assert_problem(r, 400, "request.bad_field", "role")
        r = self.sec.post("/api/v1/users/%d/roles" % u["id"],
                          json={"role": "volunteer", "node": "nowhere"})
        self.assert_problem(r, 404, "org.node_not_found", "node")
        r = self.sec.post("/api/v1/users/999999/roles", json={"role": "volunteer", "node": "root"})
        self.assert_problem(r, 404, "user.not_found")

    def test_security_cannot_change_own_roles(self):
        me = self.sec.get("/api/v1/me").json["user"]
        r = self.sec.post("/api/v1/users/%d/roles" % me["id"],
                          json={"role": "system_admin", "node": "root"})
        self.assert_problem(r, 403, "auth.self_grant")
        r = self.sec.post("/api/v1/users/%d/roles" % me["id"],
                          json={"role": "auditor", "node": "root"})
        self.assert_problem(r, 403, "auth.self_grant")
        r = self.sec.delete("/api/v1/users/%d/roles/%d" % (me["id"], me["roles"][0]["id"]))
        self.assert_problem(r, 403, "auth.self_grant")
        self.assertEqual(self.sec.get("/api/v1/me").json["user"]["roles"], me["roles"])

    def test_system_admin_cannot_manage_accounts(self):
        admin = self.as_user("admin")
        self.assert_problem(self.create(admin, "by.admin"), 403, "auth.forbidden")
        self.assertIsNone(self.listed("by.admin"))
        self.assert_problem(admin.get("/api/v1/users"), 403, "auth.forbidden")
        sec_id = self.sec.get("/api/v1/me").json["user"]["id"]
        aid = admin.get("/api/v1/me").json["user"]["id"]
        # Not even on itself, nor on others.
        r = admin.post("/api/v1/users/%d/roles" % aid, json={"role": "security_admin",
                                                             "node": "root"})
        self.assert_problem(r, 403, "auth.forbidden")
        r = admin.post("/api/v1/users/%d/roles" % sec_id, json={"role": "volunteer",
                                                                "node": "root"})
        self.assert_problem(r, 403, "auth.forbidden")

    def test_other_roles_cannot_manage_accounts(self):
        for who in ("auditor", "county", "secretary"):
            c = self.as_user(who)
            self.assert_problem(self.create(c, "by." + who, "volunteer", "hutele"), 403,
                                "auth.forbidden")
            self.assert_problem(c.get("/api/v1/users"), 403, "auth.forbidden")

    def test_duplicate_username_is_409(self):
        self.assert_problem(self.create(self.sec, "secretary", "volunteer", "hutele"), 409,
                            "user.exists", "username")
        self.assertEqual(self.create(self.sec, "dupe", "volunteer", "hutele").status, 201)
        self.assert_problem(self.create(self.sec, "dupe", "volunteer", "daban"), 409,
                            "user.exists", "username")

    def test_bad_account_fields(self):
        self.assert_problem(self.create(self.sec, "Upper Case"), 400, "request.bad_field",
                            "username")
        self.assert_problem(self.create(self.sec, "x"), 400, "request.bad_field", "username")
        self.assert_problem(self.create(self.sec, "okname", role="emperor"), 400,
                            "request.bad_field", "role")
        self.assert_problem(self.create(self.sec, "okname", node="nowhere"), 404,
                            "org.node_not_found", "node")
        self.assertIsNone(self.listed("okname"))

    def test_list_users_filtered_by_node(self):
        """GET /api/v1/users?node=REF lists the accounts with a grant in that subtree."""
        r = self.sec.get("/api/v1/users?node=hutele")
        self.assertEqual(r.status, 200, r)
        names = {u["username"] for u in r.json["items"]}
        self.assertIn("secretary", names)
        self.assertIn("volunteer", names)
        for other in ("admin", "security", "auditor", "county", "town", "secretary2"):
            self.assertNotIn(other, names, "?node=hutele lists %s" % other)
        r = self.sec.get("/api/v1/users?node=chaganmulun")
        names = {u["username"] for u in r.json["items"]}
        self.assertTrue({"town", "secretary", "secretary2", "volunteer"} <= names, names)
        self.assertNotIn("county", names)
        self.assert_problem(self.sec.get("/api/v1/users?node=nowhere"), 404, "org.node_not_found")

    def test_list_users_shows_every_account_to_the_root_security_admin(self):
        r = self.sec.get("/api/v1/users")
        names = {u["username"] for u in r.json["items"]}
        self.assertTrue(set(("admin", "security", "auditor", "county", "town", "secretary",
                             "secretary2", "volunteer")) <= names, names)
        for u in r.json["items"]:
            self.assertEqual(set(u), {"id", "username", "display_name", "locked", "totp", "roles"})
            self.assertNotIn("pw_hash", u)

    def test_removing_a_grant_of_another_user_is_404(self):
        users = {u["username"]: u for u in self.sec.get("/api/v1/users").json["items"]}
        other_grant = users["secretary2"]["roles"][0]["id"]
        r = self.sec.delete("/api/v1/users/%d/roles/%d" % (users["secretary"]["id"], other_grant))
        self.assert_problem(r, 404, "grant.not_found")
        users = {u["username"]: u for u in self.sec.get("/api/v1/users").json["items"]}
        self.assertEqual(len(users["secretary2"]["roles"]), 1)

    def test_a_county_security_admin_manages_only_the_county(self):
        r = self.create(self.sec, "county.security", "security_admin", "balinyouqi")
        self.assertEqual(r.status, 201, r)
        cs = self.login("county.security", PW)
        names = {u["username"] for u in cs.get("/api/v1/users").json["items"]}
        self.assertTrue({"county", "town", "secretary", "secretary2", "volunteer"} <= names, names)
        for outside in ("admin", "security", "auditor"):
            self.assertNotIn(outside, names)
        self.assertEqual(self.create(cs, "in.county", "volunteer", "daban").status, 201)
        self.assert_problem(self.create(cs, "out.county", "volunteer", "chifeng"), 403,
                            "auth.forbidden")
        users = {u["username"]: u for u in self.sec.get("/api/v1/users").json["items"]}
        self.assert_problem(cs.post("/api/v1/users/%d/unlock" % users["admin"]["id"]), 403,
                            "auth.forbidden")
        r = cs.post("/api/v1/users/%d/roles" % users["admin"]["id"],
                    json={"role": "volunteer", "node": "daban"})
        self.assert_problem(r, 403, "auth.forbidden")
        r = cs.post("/api/v1/users/%d/roles" % users["secretary"]["id"],
                    json={"role": "volunteer", "node": "root"})
        self.assert_problem(r, 403, "auth.forbidden")
        r = cs.post("/api/v1/users/%d/roles" % users["secretary"]["id"],
                    json={"role": "volunteer", "node": "bayanhan"})
        self.assertEqual(r.status, 201, r)

    def test_unlock_unknown_user_is_404(self):
        self.assert_problem(self.sec.post("/api/v1/users/999999/unlock"), 404, "user.not_found")


if __name__ == "__main__":
    unittest.main()
