/* auth.c — roles and scope, the password policy, TOTP. No SQL here. */
#include "auth/auth.h"

#include "core/config.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct {
	unsigned role;
	const char *name;
} auth_roles[] = {
	{ROLE_SYSTEM_ADMIN, "system_admin"},
	{ROLE_SECURITY_ADMIN, "security_admin"},
	{ROLE_AUDITOR, "auditor"},
	{ROLE_COUNTY_STAFF, "county_staff"},
	{ROLE_TOWNSHIP_STAFF, "township_staff"},
	{ROLE_BRANCH_SECRETARY, "branch_secretary"},
	{ROLE_VOLUNTEER, "volunteer"},
};

const char *auth_role_name(unsigned role)
{
	for (size_t i = 0; i < sizeof(auth_roles) / sizeof(auth_roles[0]); i++)
		if (auth_roles[i].role == role)
			return auth_roles[i].name;
	return NULL;
}

unsigned auth_role_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(auth_roles) / sizeof(auth_roles[0]); i++)
		if (strcmp(auth_roles[i].name, name) == 0)
			return auth_roles[i].role;
	return 0;
}

bool auth_can(const struct auth_user *u, unsigned roles, const char *node_path)
{
	if (!u || !node_path)
		return false;
	for (int i = 0; i < u->ngrants; i++) {
		const struct auth_grant *g = &u->grants[i];
		if ((g->role & roles) && strncmp(node_path, g->node_path, strlen(g->node_path)) == 0)
			return true;
	}
	return false;
}

bool auth_has_role(const struct auth_user *u, unsigned roles)
{
	for (int i = 0; u && i < u->ngrants; i++)
		if (u->grants[i].role & roles)
			return true;
	return false;
}

int auth_password_check(const char *password, const char *username, char *why, size_t whylen)
{
	size_t len = 0;
	int lower = 0, upper = 0, digit = 0, other = 0;
	for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			len++; /* count code points */
		if (*p >= 'a' && *p <= 'z')
			lower = 1;
		else if (*p >= 'A' && *p <= 'Z')
			upper = 1;
		else if (*p >= '0' && *p <= '9')
			digit = 1;
		else
			other = 1;
	}
	if (len < (size_t)cfg.password_min_length) {
		snprintf(why, whylen, "at least %lld characters", (long long)cfg.password_min_length);
		return -1;
	}
	if (len > 128) {
		snprintf(why, whylen, "at most 128 characters");
		return -1;
	}
	if (lower + upper + digit + other < cfg.password_classes) {
		snprintf(why, whylen,
			 "at least %lld of: lower-case, upper-case, digits, other characters",
			 (long long)cfg.password_classes);
		return -1;
	}
	if (username && *username && strstr(password, username)) {
		snprintf(why, whylen, "must not contain the username");
		return -1;
	}
	return 0;
}

void auth_totp_new_secret(char out[33])
{
	unsigned char raw[20];
	randombytes_buf(raw, sizeof(raw));
	char *b32 = NULL;
	size_t len = 0;
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &len) != OATH_OK || len > 32)
		abort();
	memcpy(out, b32, len);
	out[len] = '\0';
	free(b32);
	sodium_memzero(raw, sizeof(raw));
}

static int auth_totp_decode(const char *secret_b32, char **raw, size_t *rawlen)
{
	return oath_base32_decode(secret_b32, strlen(secret_b32), raw, rawlen) == OATH_OK ? 0 : -1;
}

int64_t auth_totp_check(const char *secret_b32, const char *code, int64_t now_ms,
			int64_t last_step)
{
	if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return -1;
	char *raw = NULL;
	size_t rawlen = 0;
	if (auth_totp_decode(secret_b32, &raw, &rawlen) < 0)
		return -1;
	int pos = 0;
	time_t now = (time_t)(now_ms / 1000);
	int rc = oath_totp_validate2(raw, rawlen, now, OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 1, &pos,
				     code);
	free(raw);
	if (rc < 0)
		return -1;
	int64_t step = (int64_t)now / OATH_TOTP_DEFAULT_TIME_STEP_SIZE + pos;
	return step > last_step ? step : -1;
}

int auth_totp_code(const char *secret_b32, int64_t now_ms, char out[7])
{
	char *raw = NULL;
	size_t rawlen = 0;
	if (auth_totp_decode(secret_b32, &raw, &rawlen) < 0)
		return -1;
	int rc = oath_totp_generate(raw, rawlen, (time_t)(now_ms / 1000),
				    OATH_TOTP_DEFAULT_TIME_STEP_SIZE, 0, 6, out);
	free(raw);
	return rc == OATH_OK ? 0 : -1;
}
