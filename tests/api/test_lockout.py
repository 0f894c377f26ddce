"""Account lockout: 5 failed logins lock the account for 15 minutes (423 auth.locked, even
with the right password); it opens again by itself, or earlier when a security admin
unlocks it."""
import unittest

from harness import ServerTestCase

WRONG = "Wrong@2026"


class LockoutTest(ServerTestCase):
    def fail_logins(self, user, n):
        for i in range(n):
            r = self.new_client().login(user, WRONG)
            self.assert_problem(r, 401, "auth.bad_credentials")

    def user_row(self, sec, username):
        r = sec.get("/api/v1/users")
        self.assertEqual(r.status, 200, r)
        rows = [u for u in r.json["items"] if u["username"] == username]
        self.assertEqual(len(rows), 1, r.json)
        return rows[0]

    def test_five_failures_lock_for_15_minutes_then_login_works_again(self):
        self.fail_logins("county", 5)
        # Locked: the right password is refused too, and so is a wrong one (no counting on).
        self.assert_problem(self.new_client().login("county"), 423, "auth.locked")
        self.assert_problem(self.new_client().login("county", WRONG), 423, "auth.locked")
        type(self).server.advance_minutes(14)
        self.assert_problem(self.new_client().login("county"), 423, "auth.locked")
        type(self).server.advance_minutes(1.5)
        r = self.new_client().login("county")
        self.assertEqual(r.status, 200, r)

    def test_security_admin_unlocks_early(self):
        self.fail_logins("town", 5)
        self.assert_problem(self.new_client().login("town"), 423, "auth.locked")
        sec = self.login("security")
        row = self.user_row(sec, "town")
        self.assertIs(row["locked"], True)
        # Only a security admin may unlock.
        other = self.login("admin")
        self.assert_problem(other.post("/api/v1/users/%d/unlock" % row["id"]), 403,
                            "auth.forbidden")
        self.assert_problem(self.new_client().login("town"), 423, "auth.locked")
        r = sec.post("/api/v1/users/%d/unlock" % row["id"])
        self.assertEqual(r.status, 204, r)
        self.assertIs(self.user_row(sec, "town")["locked"], False)
        r = self.new_client().login("town")
        self.assertEqual(r.status, 200, r)

    def test_a_successful_login_resets_the_failure_count(self):
        self.fail_logins("secretary2", 4)
        self.assertEqual(self.new_client().login("secretary2").status, 200)
        self.fail_logins("secretary2", 4)
        r = self.new_client().login("secretary2")
        self.assertEqual(r.status, 200, r)

    def test_unknown_usernames_never_lock(self):
        for _ in range(6):
            self.assert_problem(self.new_client().login("ghost", WRONG), 401,
                                "auth.bad_credentials")


if __name__ == "__main__":
    unittest.main()
