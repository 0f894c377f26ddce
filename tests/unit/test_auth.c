/* Unit tests of src/auth/auth.c: roles, scope on the org tree, password policy, TOTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liboath/oath.h>
#include <string.h>

#include "auth/auth.h"
#include "core/config.h"

static int setup(void **state)
{
	(void)state;
	const char *rest[4];
	int nrest = 0;
	/* defaults: length 8, 3 classes */
	return config_load(0, NULL, CONFIG_DB, rest, 4, &nrest) < 0 || oath_init() != OATH_OK;
}

static void test_role_names_roundtrip(void **state)
{
	(void)state;
	const char *names[] = {"system_admin", "security_admin", "auditor", "county_staff",
			       "township_staff", "branch_secretary", "volunteer"};
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(auth_role_name(auth_role_parse(names[i])), names[i]);
	assert_int_equal(auth_role_parse("root"), 0);
	assert_int_equal(auth_role_parse(""), 0);
}

static void test_scope_covers_the_subtree_only(void **state)
{
	(void)state;
	struct auth_grant g[] = {
		{.id = 1, .role = ROLE_BRANCH_SECRETARY, .node_id = 12, .node_path = "/1/2/3/12/"},
	};
	struct auth_user u = {.id = 1, .grants = g, .ngrants = 1};
	assert_true(auth_can(&u, ROLES_PEOPLE, "/1/2/3/12/"));
	assert_true(auth_can(&u, ROLES_PEOPLE, "/1/2/3/12/19/"));
	assert_false(auth_can(&u, ROLES_PEOPLE, "/1/2/3/13/"));
	assert_false(auth_can(&u, ROLES_PEOPLE, "/1/2/3/"));
	/* "/1/2/3/120/" starts with "/1/2/3/12" but is a sibling: paths end in '/' */
	assert_false(auth_can(&u, ROLES_PEOPLE, "/1/2/3/120/"));
	assert_false(auth_can(&u, ROLE_SYSTEM_ADMIN, "/1/2/3/12/"));
	assert_false(auth_can(NULL, ROLES_ALL, "/1/"));
	assert_true(auth_has_role(&u, ROLE_BRANCH_SECRETARY));
	assert_false(auth_has_role(&u, ROLE_AUDITOR));
}

static void test_password_policy_defaults(void **state)
{
	(void)state;
	char why[160];
	assert_int_equal(auth_password_check("Tala@2026", "admin", why, sizeof(why)), 0);
	assert_int_equal(auth_password_check("tala2026x", "admin", why, sizeof(why)), -1); /* 2 classes */
	assert_int_equal(auth_password_check("Ta@2026", "admin", why, sizeof(why)), -1);   /* 7 chars */
	assert_int_equal(auth_password_check("Admin@2026", "Admin", why, sizeof(why)), -1); /* username */
	assert_int_equal(auth_password_check("草原Tala2026", "x", why, sizeof(why)), 0);
}

/* RFC 6238 appendix B, SHA-1, truncated to 6 digits. */
static void test_totp_matches_rfc6238_and_refuses_replays(void **state)
{
	(void)state;
	const char *secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; /* "12345678901234567890" */
	char code[7];
	assert_int_equal(auth_totp_code(secret, 59000, code), 0);
	assert_string_equal(code, "287082");
	assert_int_equal(auth_totp_code(secret, 1111111109000LL, code), 0);
	assert_string_equal(code, "081804");
	int64_t step = auth_totp_check(secret, "081804", 1111111109000LL, 0);
	assert_int_equal(step, 1111111109 / 30);
	assert_int_equal(auth_totp_check(secret, "081804", 1111111109000LL, step), -1);
	/* one step of clock drift either way is accepted, two are not */
	assert_true(auth_totp_check(secret, "081804", 1111111109000LL + 30000, 0) > 0);
	assert_int_equal(auth_totp_check(secret, "081804", 1111111109000LL + 90000, 0), -1);
	assert_int_equal(auth_totp_check(secret, "12345", 59000, 0), -1);
	assert_int_equal(auth_totp_check(secret, "abcdef", 59000, 0), -1);
	char fresh[33];
	auth_totp_new_secret(fresh);
	assert_int_equal(strlen(fresh), 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names_roundtrip),
		cmocka_unit_test(test_scope_covers_the_subtree_only),
		cmocka_unit_test(test_password_policy_defaults),
		cmocka_unit_test(test_totp_matches_rfc6238_and_refuses_replays),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
