/* cli.h — what the commands of main.c share: opening the database and its key, and
 * recording a command-line write in the audit log. */
#ifndef TALA_CLI_H
#define TALA_CLI_H

#include <stdbool.h>

struct db;
struct db_conn;

/* Opens cfg.db, loads (or creates) the data key, optionally migrates. NULL on error (a
 * message was printed). */
struct db *cli_open(bool migrate, int pool);
/* Appends an audit entry for a command-line action (user "cli", from "local"). */
int cli_audit(struct db_conn *c, const char *action, const char *object, long long node_id,
	      const char *detail);
/* Creates an account with one role grant; prints nothing. Returns the user id (> 0), or a
 * negative value after printing the reason. */
long long cli_user_create(struct db *db, const char *username, const char *display_name,
			  const char *password, const char *role, const char *node_ref,
			  char *totp_secret_out);

/* `tala text cluster|pairs`: the text engine over stdin (cli_text.c); argv[0] is "text".
 * Returns the exit status: 0, 1 when a line was bad, 2 on a usage error. */
int cli_text(int argc, char **argv);

/* `tala demo`: loads the demo county (巴林右旗) and prints the demo accounts. */
int demo_run(struct db *db);
/* The demo county's livestreams (demo_live.c): one finished yesterday with its report and
 * FAQ, one live now, one scheduled. Returns 0 or a negative status. */
int demo_live_run(struct db *db);

#endif
