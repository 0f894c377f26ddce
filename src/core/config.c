/* config.c — the typed settings table. */
#include "core/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct config cfg;

enum config_type { CONFIG_STR, CONFIG_INT };

struct config_entry {
	const char *name;
	enum config_type type;
	unsigned scope;
	size_t offset;
	const char *def_str;
	int64_t def, min, max;
	const char *help;
};

#define STR(n, f, sc, d, h) {n, CONFIG_STR, sc, offsetof(struct config, f), d, 0, 0, 0, h}
#define INT(n, f, sc, d, lo, hi, h) {n, CONFIG_INT, sc, offsetof(struct config, f), NULL, d, lo, hi, h}

static const struct config_entry config_table[] = {
	STR("db", db, CONFIG_DB, "sqlite:data/tala.db", "database URL: sqlite:PATH or postgres://…"),
	STR("key-file", key_file, CONFIG_DB, NULL,
	    "file with the data-at-rest key (default: beside the SQLite file, or TALA_KEY_FILE)"),
	STR("listen", listen, CONFIG_SERVE, "127.0.0.1:8080", "address and port to serve on"),
	STR("web", web, CONFIG_SERVE, "web/dist", "directory of the built web app"),
	INT("threads", threads, CONFIG_SERVE, 4, 1, 256, "HTTP worker threads"),
	INT("max-body", max_body, CONFIG_SERVE, 1 << 20, 1024, 64 << 20, "largest request body, bytes"),
	INT("max-url", max_url, CONFIG_SERVE, 2048, 256, 65536, "longest request URL, bytes"),
	INT("json-depth", json_depth, CONFIG_SERVE, 16, 2, 128, "deepest JSON nesting accepted"),
	INT("max-connections", max_connections, CONFIG_SERVE, 60000, 16, 1000000,
	    "open connections of the server process at most (viewers held by --sse-procs "
	    "processes do not count)"),
	INT("per-ip-connections", per_ip_connections, CONFIG_SERVE, 10000, 1, 1000000,
	    "open connections per client IP at most (a carrier NAT shows many viewers as one)"),
	INT("sse-procs", sse_procs, CONFIG_SERVE, 2, 0, 64,
	    "processes that hold live viewers' event streams (0: the server process holds them)"),
	INT("conn-timeout", conn_timeout, CONFIG_SERVE, 30, 1, 3600, "idle connection timeout, seconds"),
	INT("lockout-failures", lockout_failures, CONFIG_DB, 5, 1, 100,
	    "failed logins before an account locks"),
	INT("lockout-minutes", lockout_minutes, CONFIG_DB, 15, 1, 10080, "how long a lockout lasts"),
	INT("idle-timeout", idle_timeout, CONFIG_DB, 30, 1, 1440, "session idle timeout, minutes"),
	INT("password-min-length", password_min_length, CONFIG_DB, 8, 6, 128,
	    "shortest password accepted"),
	INT("password-classes", password_classes, CONFIG_DB, 3, 1, 4,
	    "character classes a password needs (lower, upper, digit, other)"),
	INT("password-max-age", password_max_age, CONFIG_DB, 90, 0, 3650,
	    "days before a password must change (0: never)"),
	INT("totp-staff", totp_staff, CONFIG_DB, 0, 0, 1,
	    "1: staff accounts must enrol TOTP before anything else (等保 level 3)"),
	INT("cookie-secure", cookie_secure, CONFIG_SERVE, 0, 0, 1,
	    "1: mark the session cookie Secure (behind TLS)"),
	INT("trust-proxy", trust_proxy, CONFIG_SERVE, 0, 0, 1,
	    "1: take the client address from X-Real-IP when the peer is loopback (nginx)"),
	INT("login-rate", login_rate, CONFIG_SERVE, 60, 1, 100000,
	    "sign-in attempts per minute from one client IP (and burst)"),
	INT("open311-rate", open311_rate, CONFIG_SERVE, 600, 1, 100000,
	    "Open311 requests posted per minute with one api_key (and burst)"),
	STR("public-url", public_url, CONFIG_SERVE, "http://127.0.0.1:8080",
	    "the address viewers reach Tala at (join links and QR codes)"),
	INT("live-device-rate", live_device_rate, CONFIG_SERVE, 5, 1, 100000,
	    "live questions per 10 s from one device (and 6 × this per 10 minutes)"),
	INT("live-ip-rate", live_ip_rate, CONFIG_SERVE, 60, 1, 1000000,
	    "live questions per 10 s from one client IP"),
	INT("audit-retention", audit_retention, CONFIG_DB, 180, 180, 36500,
	    "days the audit log is kept at least"),
};

static void config_set_default(const struct config_entry *e)
{
	char *field = (char *)&cfg + e->offset;
	if (e->type == CONFIG_STR)
		*(const char **)field = e->def_str;
	else
		*(int64_t *)field = e->def;
}

static int config_set(const struct config_entry *e, const char *value, const char *from)
{
	char *field = (char *)&cfg + e->offset;
	if (e->type == CONFIG_STR) {
		*(const char **)field = value;
		return 0;
	}
	char *end = NULL;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < e->min || v > e->max) {
		fprintf(stderr, "tala: %s %s: expected a whole number from %lld to %lld\n", from,
			e->name, (long long)e->min, (long long)e->max);
		return -1;
	}
	*(int64_t *)field = v;
	return 0;
}

static const struct config_entry *config_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(config_table) / sizeof(config_table[0]); i++) {
		const struct config_entry *e = &config_table[i];
		if (strlen(e->name) == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	return NULL;
}

int config_load(int argc, char **argv, unsigned scope, const char **rest, int rest_max,
		int *nrest)
{
	*nrest = 0;
	for (size_t i = 0; i < sizeof(config_table) / sizeof(config_table[0]); i++) {
		const struct config_entry *e = &config_table[i];
		config_set_default(e);
		char env[64] = "TALA_";
		size_t k = 5;
		for (const char *p = e->name; *p && k < sizeof(env) - 1; p++)
			env[k++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		env[k] = '\0';
		const char *v = getenv(env);
		if (v && *v && config_set(e, v, "environment") < 0)
			return -1;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (*nrest >= rest_max) {
				fprintf(stderr, "tala: unexpected argument '%s'\n", a);
				return -1;
			}
			rest[(*nrest)++] = a;
			continue;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct config_entry *e = config_find(name, len);
		if (!e || !(e->scope & scope)) {
			/* Not a setting: hand it to the command (it knows its own flags). */
			if (*nrest >= rest_max) {
				fprintf(stderr, "tala: unknown option '%s' (see --help)\n", a);
				return -1;
			}
			rest[(*nrest)++] = a;
			continue;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tala: option --%s needs a value\n", e->name);
				return -1;
			}
			value = argv[++i];
		}
		if (config_set(e, value, "option") < 0)
			return -1;
	}
	return 0;
}

void config_help(FILE *out, unsigned scope)
{
	for (size_t i = 0; i < sizeof(config_table) / sizeof(config_table[0]); i++) {
		const struct config_entry *e = &config_table[i];
		if (!(e->scope & scope))
			continue;
		char flag[64];
		snprintf(flag, sizeof(flag), "--%s %s", e->name, e->type == CONFIG_STR ? "S" : "N");
		if (e->type == CONFIG_STR)
			fprintf(out, "  %-26s %s%s%s%s\n", flag, e->help, e->def_str ? " [" : "",
				e->def_str ? e->def_str : "", e->def_str ? "]" : "");
		else
			fprintf(out, "  %-26s %s [%lld; %lld–%lld]\n", flag, e->help,
				(long long)e->def, (long long)e->min, (long long)e->max);
	}
}
