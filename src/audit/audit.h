/* audit.h — the audit log (审计日志): every write and every read of full personal data,
 * append-only and hash-chained with HMAC-SM3 under a key derived from the data key. Each
 * entry's hash covers its fields and the previous entry's hash; audit_head keeps the last sequence number and hash, so a changed,
 * deleted or appended-behind-our-back row breaks the chain and `tala check` reports it. */
#ifndef TALA_AUDIT_H
#define TALA_AUDIT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

struct db;
struct db_conn;

struct audit_entry {
	int64_t user_id;      /* 0 when nobody is signed in */
	const char *username; /* "-" when nobody */
	const char *action;   /* e.g. "org.node.create", "person.read_id_number" */
	const char *object;   /* e.g. "org_node:12" */
	int64_t node_id;      /* the org node the object belongs to, 0 when none */
	const char *ip;
	const char *result;   /* "ok", "denied", "failed" */
	const char *detail;   /* free text, never secrets */
};

/* Appends e inside the caller's write transaction (so the entry commits with the change it
 * records). Returns the new sequence number (> 0) or a db error status. */
int64_t audit_append(struct db_conn *c, const struct audit_entry *e, int64_t now_ms);

/* Appends e in a transaction of its own (for denials and failures that change nothing). */
int audit_record(struct db *db, const struct audit_entry *e, int64_t now_ms);

struct audit_filter {
	int64_t from_ms, to_ms; /* 0: open */
	const char *username;   /* NULL: any */
	const char *action;     /* NULL: any; a trailing '*' matches a prefix */
	const char *scope_path; /* "/" for everything, else entries on nodes in that subtree */
	int64_t before_seq;     /* 0: newest first from the top */
	int limit;
};

/* Appends matching entries (newest first) to items; *next is the seq to pass as before_seq
 * for the next page, 0 when none. Returns the count or a db error. */
int audit_list(struct db_conn *c, const struct audit_filter *f, json_t *items, int64_t *next);

/* Recomputes the whole chain. Writes one line per fault to out; returns the number of
 * faults (0: intact) or a negative db error. */
int audit_verify(struct db *db, FILE *out);

#endif
