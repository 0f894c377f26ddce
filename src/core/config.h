/* config.h — every setting of the server in one typed table with defaults, bounds and a
 * help line each. A setting comes from its command-line flag (--name value), else from the
 * environment (TALA_NAME, dashes as underscores), else its default. */
#ifndef TALA_CONFIG_H
#define TALA_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config {
	const char *db;     /* database URL */
	const char *listen; /* ADDR:PORT */
	const char *web;    /* directory of the built web app */
	const char *key_file;
	const char *public_url; /* where viewers reach Tala (join links, QR codes) */
	int64_t threads;
	int64_t max_body;
	int64_t max_url;
	int64_t json_depth;
	int64_t max_connections;
	int64_t per_ip_connections;
	int64_t conn_timeout;
	int64_t sse_procs;
	int64_t lockout_failures;
	int64_t lockout_minutes;
	int64_t idle_timeout;
	int64_t password_min_length;
	int64_t password_classes;
	int64_t password_max_age;
	int64_t totp_staff;
	int64_t audit_retention;
	int64_t login_rate;
	int64_t open311_rate;
	int64_t trust_proxy;
	int64_t cookie_secure;
	int64_t live_device_rate;
	int64_t live_ip_rate;
};

/* The settings in force; filled by config_load(). */
extern struct config cfg;

enum config_scope { CONFIG_DB = 1, CONFIG_SERVE = 2 };

/* Loads defaults, the environment, then flags from argv (flags of scope only). Unknown flags
 * and out-of-bounds values are an error: returns -1 with a message on stderr. Arguments that
 * are not flags are left, in order, in rest (up to rest_max), their count in *nrest. */
int config_load(int argc, char **argv, unsigned scope, const char **rest, int rest_max,
		int *nrest);
/* Prints a --help line for each setting of scope. */
void config_help(FILE *out, unsigned scope);

#endif
