/* main.c — the tala command line: serve, migrate, demo, org add, user add, backup, check,
 * version. Every command takes --db URL (or TALA_DB) and --help. */
#include "audit/audit.h"
#include "auth/auth.h"
#include "cli.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/server_internal.h"
#include "http/sse_fanout.h"
#include "modules/points/points.h"
#include "modules/requests/requests.h"
#include "org/org.h"
#include "routes.h"
#include "store/db.h"
#include "version.h"

#include <liboath/oath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_REST = 16 };

struct cli_flag {
	const char *name;
	const char **value;
	const char *help;
};

/* Picks command flags (--name value) out of rest; any other argument is an error. */
static int cli_flags(const char **rest, int nrest, struct cli_flag *flags, bool *help)
{
	for (int i = 0; i < nrest; i++) {
		const char *a = rest[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			*help = true;
			continue;
		}
		struct cli_flag *f = NULL;
		const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
		size_t len = eq ? (size_t)(eq - a - 2) : strlen(a) - 2;
		for (struct cli_flag *k = flags; k && k->name && strncmp(a, "--", 2) == 0; k++)
			if (strlen(k->name) == len && strncmp(a + 2, k->name, len) == 0)
				f = k;
		if (!f) {
			fprintf(stderr, "tala: unknown argument '%s' (see --help)\n", a);
			return -1;
		}
		if (eq) {
			*f->value = eq + 1;
		} else if (f->help[0] == '!') {
			*f->value = "1"; /* a switch */
		} else if (i + 1 < nrest) {
			*f->value = rest[++i];
		} else {
			fprintf(stderr, "tala: --%s needs a value\n", f->name);
			return -1;
		}
	}
	return 0;
}

static void cli_flags_help(const struct cli_flag *flags)
{
	for (const struct cli_flag *f = flags; f && f->name; f++)
		fprintf(stdout, "  --%-24s %s\n", f->name, f->help[0] == '!' ? f->help + 1 : f->help);
}

static char *cli_key_path(void)
{
	if (cfg.key_file)
		return xstrdup(cfg.key_file);
	if (strncmp(cfg.db, "sqlite:", 7) == 0)
		return xasprintf("%s.key", cfg.db + 7);
	return xstrdup("data/tala.key");
}

struct db *cli_open(bool migrate, int pool)
{
	char err[512];
	if (crypto_init() < 0) {
		fprintf(stderr, "tala: libsodium or OpenSSL SM3/SM4 unavailable\n");
		return NULL;
	}
	struct db *db = db_open(cfg.db, pool, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "tala: %s\n", err);
		return NULL;
	}
	char *key = cli_key_path();
	int rc = crypto_load_key(key, true, err, sizeof(err));
	free(key);
	if (rc < 0) {
		fprintf(stderr, "tala: %s\n", err);
		db_close(db);
		return NULL;
	}
	if (migrate && db_migrate(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "tala: %s\n", err);
		db_close(db);
		return NULL;
	}
	return db;
}

static int cli_root_tx(struct db_conn *c, void *ctx)
{
	(void)ctx;
	int rc = org_store_ensure_root(c, clock_now_ms());
	if (rc == 1)
		rc = cli_audit(c, "org.node.create", "org_node:root", 0, "root node created");
	return rc < 0 ? rc : 0;
}

int cli_audit(struct db_conn *c, const char *action, const char *object, long long node_id,
	      const char *detail)
{
	struct audit_entry e = {.username = "cli", .action = action, .object = object,
				.node_id = node_id, .ip = "local", .result = "ok", .detail = detail};
	int64_t rc = audit_append(c, &e, clock_now_ms());
	return rc < 0 ? (int)rc : 0;
}

static int cmd_migrate(const char **rest, int nrest)
{
	bool help = false;
	if (cli_flags(rest, nrest, NULL, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala migrate [--db URL]\n"
		       "Applies every migration not yet applied and creates the root node.\n");
		config_help(stdout, CONFIG_DB);
		return 0;
	}
	struct db *db = cli_open(true, 1);
	if (!db)
		return 1;
	int rc = db_tx_run(db, cli_root_tx, NULL);
	int version = db_schema_version(db);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "tala: cannot create the root node\n");
		return 1;
	}
	printf("schema version %d (latest %d)\n", version, db_schema_latest());
	return 0;
}

static int cmd_serve(const char **rest, int nrest)
{
	bool help = false;
	if (cli_flags(rest, nrest, NULL, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala serve [--db URL] [--listen ADDR:PORT] [options]\n"
		       "Serves the JSON API and the web app; migrates the database first.\n"
		       "Live viewers' event streams are held by --sse-procs child processes\n"
		       "(tala-sse-fanout), which stop with the server.\n"
		       "Stops cleanly on SIGTERM or SIGINT. Settings (flag, or TALA_NAME in the "
		       "environment):\n");
		config_help(stdout, CONFIG_DB | CONFIG_SERVE);
		return 0;
	}
	struct db *db = cli_open(true, (int)cfg.threads + 1);
	if (!db)
		return 1;
	int rc = db_tx_run(db, cli_root_tx, NULL);
	if (rc < 0) {
		db_close(db);
		return 1;
	}
	const char *test = getenv("TALA_TEST_CLOCK");
	struct http_server_opts o = {.routes = routes, .nroutes = routes_count, .db = db,
				     .web_dir = cfg.web, .test_mode = test && strcmp(test, "1") == 0};
	if (o.test_mode)
		log_warn("serve: TALA_TEST_CLOCK=1 — the test clock endpoint is on; never in production");
	rc = http_serve(&o);
	db_close(db);
	return rc < 0 ? 1 : 0;
}

static int cmd_demo(const char **rest, int nrest)
{
	bool help = false;
	if (cli_flags(rest, nrest, NULL, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala demo [--db URL]\n"
		       "Loads the demo county (巴林右旗) and its accounts; safe to run twice.\n");
		return 0;
	}
	struct db *db = cli_open(true, 1);
	if (!db)
		return 1;
	int rc = db_tx_run(db, cli_root_tx, NULL);
	if (rc >= 0)
		rc = demo_run(db);
	db_close(db);
	return rc < 0 ? 1 : 0;
}

struct org_add_ctx {
	const char *parent, *code, *name, *level;
	int64_t id;
	const char *error;
};

static int org_add_tx(struct db_conn *c, void *ctx)
{
	struct org_add_ctx *o = ctx;
	struct arena *a = arena_new();
	struct org_node *parent = NULL;
	int rc = org_store_get(c, a, o->parent, &parent);
	if (rc == DB_ROW && org_level_rank(o->level) <= org_level_rank(parent->level)) {
		o->error = "the level must be below the parent's level";
		rc = -100;
	} else if (rc == DB_ROW) {
		rc = org_store_create(c, parent, o->code, o->name, o->level, clock_now_ms(), &o->id);
		if (rc < 0 && db_conn_error_kind(c) == DB_ERR_UNIQUE)
			o->error = "a node with this code exists";
		if (rc >= 0) {
			char obj[48], detail[400];
			snprintf(obj, sizeof(obj), "org_node:%lld", (long long)o->id);
			snprintf(detail, sizeof(detail), "%s %s (%s) under %s", o->level, o->code,
				 o->name, parent->code);
			rc = cli_audit(c, "org.node.create", obj, o->id, detail);
		}
	} else if (rc == DB_DONE) {
		o->error = "no such parent node";
		rc = -100;
	}
	arena_free(a);
	return rc;
}

static int cmd_org(const char **rest, int nrest)
{
	struct org_add_ctx o = {0};
	struct cli_flag flags[] = {
		{"parent", &o.parent, "code or id of the parent node"},
		{"code", &o.code, "unique code of the new node (A-Z a-z 0-9 _ . -)"},
		{"level", &o.level, "region, city, county, town, village or group"},
		{"name", &o.name, "its name"},
		{NULL, NULL, NULL},
	};
	bool help = false;
	if (nrest < 1 || strcmp(rest[0], "add") != 0) {
		if (nrest >= 1 && (strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0)) {
			printf("usage: tala org add --parent REF --code CODE --level LEVEL --name NAME [--db URL]\n");
			cli_flags_help(flags);
			return 0;
		}
		fprintf(stderr, "usage: tala org add --parent REF --code CODE --level LEVEL --name NAME\n");
		return 2;
	}
	if (cli_flags(rest + 1, nrest - 1, flags, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala org add --parent REF --code CODE --level LEVEL --name NAME [--db URL]\n");
		cli_flags_help(flags);
		return 0;
	}
	if (!o.parent || !o.code || !o.level || !o.name) {
		fprintf(stderr, "tala: org add needs --parent, --code, --level and --name\n");
		return 2;
	}
	if (org_level_rank(o.level) < 0) {
		fprintf(stderr, "tala: --level must be region, city, county, town, village or group\n");
		return 2;
	}
	if (!org_code_valid(o.code) || !*o.name || strlen(o.name) > 300) {
		fprintf(stderr, "tala: --code must be 1–64 of A-Z a-z 0-9 _ . - (not only digits), and --name not empty\n");
		return 2;
	}
	struct db *db = cli_open(true, 1);
	if (!db)
		return 1;
	int rc = db_tx_run(db, cli_root_tx, NULL);
	if (rc >= 0)
		rc = db_tx_run(db, org_add_tx, &o);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "tala: org add: %s\n", o.error ? o.error : "database error");
		return 1;
	}
	printf("%lld\n", (long long)o.id);
	return 0;
}

struct user_add_ctx {
	const char *username, *display, *hash, *node;
	unsigned role;
	const char *totp;
	int64_t id;
	const char *error;
};

static int user_add_tx(struct db_conn *c, void *ctx)
{
	struct user_add_ctx *u = ctx;
	struct arena *a = arena_new();
	struct org_node *node = NULL;
	int rc = org_store_get(c, a, u->node, &node);
	if (rc == DB_DONE) {
		u->error = "no such node";
		rc = -100;
	}
	if (rc == DB_ROW) {
		rc = auth_store_user_create(c, u->username, u->display, u->hash, clock_now_ms(), &u->id);
		if (rc < 0 && db_conn_error_kind(c) == DB_ERR_UNIQUE)
			u->error = "the username is taken";
	}
	int64_t grant = 0;
	if (rc >= 0)
		rc = auth_store_grant_add(c, u->id, u->role, node->id, clock_now_ms(), &grant);
	if (rc >= 0 && u->totp)
		rc = auth_store_totp_activate(c, u->id, u->totp, 0);
	if (rc >= 0) {
		char obj[48], detail[300];
		snprintf(obj, sizeof(obj), "user:%lld", (long long)u->id);
		snprintf(detail, sizeof(detail), "%s as %s on %s", u->username,
			 auth_role_name(u->role), node->code);
		rc = cli_audit(c, "user.create", obj, node->id, detail);
	}
	arena_free(a);
	return rc;
}

long long cli_user_create(struct db *db, const char *username, const char *display_name,
			  const char *password, const char *role, const char *node_ref,
			  char *totp_secret_out)
{
	struct user_add_ctx u = {.username = username, .display = display_name, .node = node_ref,
				 .role = auth_role_parse(role)};
	if (!u.role) {
		fprintf(stderr, "tala: unknown role '%s'\n", role);
		return -2;
	}
	char why[160];
	if (auth_password_check(password, username, why, sizeof(why)) < 0) {
		fprintf(stderr, "tala: the password needs %s\n", why);
		return -2;
	}
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_password_hash(password, hash, sizeof(hash)) < 0)
		return -1;
	u.hash = hash;
	if (totp_secret_out) {
		auth_totp_new_secret(totp_secret_out);
		u.totp = totp_secret_out;
	}
	int rc = db_tx_run(db, user_add_tx, &u);
	if (rc < 0) {
		fprintf(stderr, "tala: user add: %s\n", u.error ? u.error : "database error");
		return -1;
	}
	return u.id;
}

static int cmd_user(const char **rest, int nrest)
{
	const char *username = NULL, *role = NULL, *node = NULL, *display = NULL, *totp = NULL;
	struct cli_flag flags[] = {
		{"username", &username, "login name (a-z 0-9 _ . -)"},
		{"role", &role,
		 "system_admin, security_admin, auditor, county_staff, township_staff, "
		 "branch_secretary or volunteer"},
		{"node", &node, "code or id of the node the role is granted on"},
		{"display-name", &display, "name shown in the console (default: the username)"},
		{"totp", &totp, "!enrol a TOTP second factor and print its secret"},
		{NULL, NULL, NULL},
	};
	bool help = nrest >= 1 && (strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0);
	if (!help && (nrest < 1 || strcmp(rest[0], "add") != 0)) {
		fprintf(stderr, "usage: tala user add --username U --role ROLE --node REF\n");
		return 2;
	}
	if (!help && cli_flags(rest + 1, nrest - 1, flags, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala user add --username U --role ROLE --node REF [--db URL]\n"
		       "The password comes from TALA_PASSWORD, else the first line of stdin.\n");
		cli_flags_help(flags);
		return 0;
	}
	if (!username || !role || !node) {
		fprintf(stderr, "tala: user add needs --username, --role and --node\n");
		return 2;
	}
	char line[256];
	const char *password = getenv("TALA_PASSWORD");
	if (!password || !*password) {
		if (isatty(STDIN_FILENO))
			fprintf(stderr, "password: ");
		if (!fgets(line, sizeof(line), stdin)) {
			fprintf(stderr, "tala: no password (set TALA_PASSWORD or give it on stdin)\n");
			return 2;
		}
		line[strcspn(line, "\r\n")] = '\0';
		password = line;
	}
	struct db *db = cli_open(true, 1);
	if (!db)
		return 1;
	char secret[33];
	int rc = db_tx_run(db, cli_root_tx, NULL);
	long long id = rc < 0 ? -1
			      : cli_user_create(db, username, display ? display : username, password,
						role, node, totp ? secret : NULL);
	db_close(db);
	sodium_memzero(line, sizeof(line));
	if (id < 0)
		return id == -2 ? 2 : 1;
	if (totp)
		printf("totp secret: %s\n", secret);
	printf("%lld\n", id);
	return 0;
}

struct apikey_ctx {
	const char *node, *name, *hash;
	int64_t id;
	const char *error;
};

static int apikey_tx(struct db_conn *c, void *ctx)
{
	struct apikey_ctx *k = ctx;
	struct arena *a = arena_new();
	struct org_node *node = NULL;
	int rc = org_store_get(c, a, k->node, &node);
	if (rc == DB_DONE) {
		k->error = "no such node";
		rc = -100;
	}
	if (rc == DB_ROW)
		rc = db_query_int(c, &k->id,
				  "INSERT INTO api_keys (node_id, name, key_hash, created_at) "
				  "VALUES (?, ?, ?, ?) RETURNING id",
				  "itti", node->id, k->name, k->hash, clock_now_ms());
	if (rc >= 0) {
		char obj[48];
		snprintf(obj, sizeof(obj), "api_key:%lld", (long long)k->id);
		rc = cli_audit(c, "apikey.create", obj, node->id, k->name);
	}
	arena_free(a);
	return rc;
}

/* tala apikey add --node CODE --name NAME: a key for an Open311 client, printed once (only
 * its SM3 hash is stored) as the last line. */
static int cmd_apikey(const char **rest, int nrest)
{
	struct apikey_ctx k = {0};
	struct cli_flag flags[] = {
		{"node", &k.node, "code or id of the node whose orders the client may file"},
		{"name", &k.name, "who the key is for"},
		{NULL, NULL, NULL},
	};
	bool help = nrest >= 1 && (strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0);
	if (!help && (nrest < 1 || strcmp(rest[0], "add") != 0)) {
		fprintf(stderr, "usage: tala apikey add --node CODE --name NAME\n");
		return 2;
	}
	if (!help && cli_flags(rest + 1, nrest - 1, flags, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala apikey add --node CODE --name NAME [--db URL]\n"
		       "Creates an Open311 api_key; the key is printed once, as the last line.\n");
		cli_flags_help(flags);
		return 0;
	}
	if (!k.node || !k.name || !*k.name || strlen(k.name) > 100) {
		fprintf(stderr, "tala: apikey add needs --node and --name\n");
		return 2;
	}
	struct db *db = cli_open(true, 1);
	if (!db)
		return 1;
	char key[65], hash[CRYPTO_SM3_HEX];
	crypto_token(key, 24);
	crypto_sm3_hex(key, strlen(key), hash);
	k.hash = hash;
	int rc = db_tx_run(db, cli_root_tx, NULL);
	if (rc >= 0)
		rc = db_tx_run(db, apikey_tx, &k);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "tala: apikey add: %s\n", k.error ? k.error : "database error");
		return 1;
	}
	printf("api key %lld for %s on %s:\n%s\n", (long long)k.id, k.name, k.node, key);
	return 0;
}

static int cmd_backup(const char **rest, int nrest)
{
	const char *to = NULL;
	struct cli_flag flags[] = {{"to", &to, "the new backup file"}, {NULL, NULL, NULL}};
	bool help = false;
	if (cli_flags(rest, nrest, flags, &help) < 0)
		return 2;
	if (help || !to) {
		printf("usage: tala backup --to FILE [--db URL]\n"
		       "Writes a consistent copy of the database (SQLite: VACUUM INTO; PostgreSQL: "
		       "pg_dump -Fc). Keep the key file (%s) with it, apart.\n", "<db>.key");
		cli_flags_help(flags);
		return help ? 0 : 2;
	}
	struct db *db = cli_open(false, 1);
	if (!db)
		return 1;
	char err[512];
	int rc = db_backup(db, to, err, sizeof(err));
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "tala: %s\n", err);
		return 1;
	}
	printf("backup written to %s\n", to);
	return 0;
}

static int cmd_check(const char **rest, int nrest)
{
	bool help = false;
	if (cli_flags(rest, nrest, NULL, &help) < 0)
		return 2;
	if (help) {
		printf("usage: tala check [--db URL]\n"
		       "Verifies the audit chain, the points ledger (every balance recomputed from the "
		       "transfers, every sealed period re-hashed) and the service-hours ledger. Exit 1 "
		       "on any fault.\n");
		return 0;
	}
	struct db *db = cli_open(false, 1);
	if (!db)
		return 1;
	int audit = audit_verify(db, stdout);
	int points = audit < 0 ? 0 : points_check(db, stdout);
	int hours = audit < 0 || points < 0 ? 0 : requests_hours_check(db, stdout);
	db_close(db);
	if (audit < 0 || points < 0 || hours < 0) {
		fprintf(stderr, "tala: check: database error\n");
		return 1;
	}
	if (audit + points + hours > 0) {
		printf("check: %d fault(s) found\n", audit + points + hours);
		return 1;
	}
	printf("check: audit chain intact; points ledger balanced, seals verified; "
	       "service hours balanced\n");
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"tala %s — county governance and government services\n\n"
		"usage: tala COMMAND [--db URL] [options]\n\n"
		"  serve      serve the JSON API and the web app\n"
		"  migrate    create or update the database schema\n"
		"  demo       load the demo county (巴林右旗) and its accounts\n"
		"  org add    add a node to the org tree\n"
		"  user add   add an account with a role on a node\n"
		"  apikey add create an Open311 api_key for a node\n"
		"  backup     write a consistent copy of the database\n"
		"  check      verify the audit chain and ledgers\n"
		"  text       cluster questions or score pairs from stdin (no database)\n"
		"  version    print the version\n\n"
		"DB URL: sqlite:PATH (default sqlite:data/tala.db) or postgres://…\n"
		"`tala COMMAND --help` lists each command's options.\n",
		TALA_VERSION);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("tala %s\n", TALA_VERSION);
		return 0;
	}
	if (strcmp(cmd, "text") == 0) /* no database, no configuration */
		return cli_text(argc - 1, argv + 1);
	if (strcmp(cmd, "sse-fanout") == 0) /* hidden: started by serve, holds only viewers */
		return sse_child_main(argc - 1, argv + 1);
	const char *rest[MAX_REST];
	int nrest = 0;
	unsigned scope = strcmp(cmd, "serve") == 0 ? (CONFIG_DB | CONFIG_SERVE) : CONFIG_DB;
	if (config_load(argc - 2, argv + 2, scope, rest, MAX_REST, &nrest) < 0)
		return 2;
	const char *lvl = getenv("TALA_LOG");
	if (lvl && strcmp(lvl, "debug") == 0)
		log_set_level(LOG_DEBUG);
	if (oath_init() != OATH_OK) {
		fprintf(stderr, "tala: liboath failed to start\n");
		return 1;
	}
	int rc;
	if (strcmp(cmd, "serve") == 0)
		rc = cmd_serve(rest, nrest);
	else if (strcmp(cmd, "migrate") == 0)
		rc = cmd_migrate(rest, nrest);
	else if (strcmp(cmd, "demo") == 0)
		rc = cmd_demo(rest, nrest);
	else if (strcmp(cmd, "org") == 0)
		rc = cmd_org(rest, nrest);
	else if (strcmp(cmd, "user") == 0)
		rc = cmd_user(rest, nrest);
	else if (strcmp(cmd, "apikey") == 0)
		rc = cmd_apikey(rest, nrest);
	else if (strcmp(cmd, "backup") == 0)
		rc = cmd_backup(rest, nrest);
	else if (strcmp(cmd, "check") == 0)
		rc = cmd_check(rest, nrest);
	else {
		fprintf(stderr, "tala: unknown command '%s'\n\n", cmd);
		usage(stderr);
		rc = 2;
	}
	oath_done();
	return rc;
}
