/* http.h — what a route handler sees: the request (with its arena, path parameters, parsed
 * JSON body and signed-in user), the reply functions and the problem+json error registry. */
#ifndef TALA_HTTP_H
#define TALA_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct db;
struct membuf;
struct auth_user;
struct MHD_Connection;
struct http_req;

/* A handler returns what a reply function returned, or HTTP_DONE after a helper replied. */
typedef int (*http_handler_fn)(struct http_req *r);
enum { HTTP_DONE = 1 };

enum http_method {
	HTTP_GET = 1,
	HTTP_POST = 2,
	HTTP_PUT = 4,
	HTTP_PATCH = 8,
	HTTP_DELETE = 16,
	HTTP_OTHER = 32,
};

enum route_flags {
	ROUTE_PUBLIC = 1, /* no session needed */
	ROUTE_TEST = 2,   /* only when the server runs with TALA_TEST_CLOCK=1 */
	ROUTE_SETUP = 4,  /* usable before the account is set up: expired password, TOTP missing */
};

/* One row of the static route table (src/routes.c). A `{}` segment in the pattern matches
 * one path segment and is handed to the handler as r->params[i]. */
struct route {
	enum http_method method;
	const char *pattern;
	http_handler_fn handler;
	unsigned flags;
};

enum { HTTP_MAX_PARAMS = 4 };

struct http_req {
	struct MHD_Connection *conn;
	struct arena *arena;
	struct db *db;
	enum http_method method;
	const char *method_name;
	const char *path;
	const struct route *route;
	const char *params[HTTP_MAX_PARAMS];
	int nparams;
	char ip[64];
	char *body;
	size_t body_len, body_cap;
	bool body_too_big;
	json_t *json;                /* the parsed body, owned by the request */
	struct auth_user *user;      /* NULL when not signed in */
	const char *session_token;   /* the cookie's token when a session was found */
	const char *set_cookie;      /* a Set-Cookie header to send with the reply */
	int status;                  /* the status sent, for the log line */
	int64_t start_ms;
	size_t uri_len;              /* the full URI with its query, for the URL limit */
	int retry_after;             /* seconds: sent as Retry-After when > 0 (429 answers) */
	bool suspended;              /* the handler suspended the connection (http_suspend) */
	void *async;                 /* a handler's state across a suspension (arena-owned) */
	bool replied;
	bool http10;                 /* the request is HTTP/1.0 (no chunked responses) */
	bool sse_handed;             /* an SSE viewer handed to a fan-out process (sse_fanout.h) */
};

/* Replies (each returns the MHD result to hand back from the handler). */
int http_reply_json(struct http_req *r, int status, json_t *body); /* steals body */
int http_reply_empty(struct http_req *r, int status);
int http_reply_bytes(struct http_req *r, int status, const char *content_type, void *data,
		     size_t len); /* takes a malloc'd buffer */
/* Appends s as a JSON string: quoted, with " \\ and control characters escaped, and each
 * byte that is not part of valid UTF-8 written as U+FFFD; NULL as null. For the replies on
 * the live hot path that are written without building jansson values (live_public_api.c). */
void http_json_string(struct membuf *b, const char *s);
/* A file download (Content-Disposition: attachment) of a malloc'd buffer. */
int http_reply_download(struct http_req *r, const char *content_type, const char *filename,
			void *data, size_t len);
/* A problem+json error. code is a registered code (docs/errors.md); detail may be NULL;
 * field names the offending field of a 400, or NULL. */
int http_reply_problem(struct http_req *r, const char *code, const char *detail,
		       const char *field);
/* The HTTP status a registered problem code answers with; 500 for an unknown code. */
int http_problem_status(const char *code);

/* A handler that waits for work done elsewhere (a group commit) suspends its connection and
 * returns HTTP_DONE without replying; whoever finishes the work calls http_resume (from any
 * thread), and the route's handler is called again with r->suspended still true and
 * r->async as it left it: it clears r->suspended and replies. */
void http_suspend(struct http_req *r);
void http_resume(struct http_req *r);

/* Shorthand for the common database failure reply. */
int http_reply_db_error(struct http_req *r, int rc);

/* Parses the body as a JSON object (the request must have one): 400 on malformed JSON,
 * invalid UTF-8 or nesting deeper than the limit. Returns 0, or -1 after replying. */
int http_body_json(struct http_req *r);

enum json_ftype {
	JF_STRING, /* out: const char ** (NUL-free UTF-8, at most max_len code points) */
	JF_INT,    /* out: int64_t * */
	JF_BOOL,   /* out: bool * */
	JF_REF,    /* a node or object reference, string or integer; out: const char ** */
	JF_JSON,   /* any JSON value; out: json_t ** (borrowed from the body) */
};

struct json_field {
	const char *name;
	enum json_ftype type;
	bool required;
	size_t max_len; /* JF_STRING: code points; 0 means 200 */
	void *out;
	bool *present; /* optional: set to whether the field was given (and not null) */
};

/* Parses the JSON body and fills each field of spec (terminated by a {NULL} row).
 * Replies 400 naming the first bad field and returns -1; returns 0 when all are good. */
int http_json_fields(struct http_req *r, const struct json_field *spec);

/* The pure parts of the two above (no reply; fuzzed): http_json_parse returns the body as
 * a JSON object, or NULL with a problem code and detail; http_json_spec returns 0, or -1 with
 * the bad field and a reason (arena-owned). */
json_t *http_json_parse(const char *body, size_t len, int max_depth, const char **code,
			char *detail, size_t detail_len);
int http_json_spec(json_t *obj, const struct json_field *spec, struct arena *a,
		   const char **field, const char **reason);

/* An application/x-www-form-urlencoded body (form.c), decoded into the arena. */
enum { HTTP_FORM_MAX = 64, HTTP_FORM_NAME_MAX = 64 };
struct http_form {
	int n;
	const char *name[HTTP_FORM_MAX], *value[HTTP_FORM_MAX];
};
/* Parses body: '+' is a space, %XX a byte; every name and value must decode to UTF-8 without
 * control characters (tab and newlines aside), a name may appear once. Returns 0, or -1 with
 * the reason in *why. */
int http_form_parse(const char *body, size_t len, struct arena *a, struct http_form *f,
		    const char **why);
/* A field's value, or NULL when the form lacks it. */
const char *http_form_get(const struct http_form *f, const char *name);

/* Open311 answers (open311_reply.c): body as JSON, or with xml as an XML document under root
 * whose arrays hold elements named in the singular (services → service, service_requests →
 * request …). Steals body. */
int http_reply_open311(struct http_req *r, int status, bool xml, const char *root, json_t *body);
/* An Open311 error: [{"code":status,"description":…}] or <errors><error>…; the format is the
 * path's (".xml" or JSON). Every error under /open311/ leaves in this shape. */
int http_reply_open311_error(struct http_req *r, int status, const char *description);
/* True for a path under /open311/. */
bool http_path_open311(const char *path);

/* A query-string argument, or NULL. */
const char *http_query(struct http_req *r, const char *name);
/* An integer query argument within [lo, hi], def when absent. Replies 400 and returns -1
 * on a bad value. */
int http_query_int(struct http_req *r, const char *name, int64_t def, int64_t lo, int64_t hi,
		   int64_t *out);
/* A request header, or NULL. */
const char *http_header(struct http_req *r, const char *name);

struct audit_entry;
/* Fills the who and from-where of an audit entry from the request. */
void http_audit_actor(struct http_req *r, struct audit_entry *e);
/* Records the denial in the audit log and replies 403 auth.forbidden. */
int http_forbid(struct http_req *r, const char *action, const char *object, int64_t node_id);

/* Parses a positive decimal id; returns 0 or -1. */
int http_parse_id(const char *s, int64_t *out);
/* True when s is valid UTF-8 without NUL bytes or C0 control characters except tab/newline. */
bool http_utf8_valid(const char *s, size_t len, size_t *codepoints);
/* The length of the valid UTF-8 character at s (1–4; no overlongs, surrogates or values
 * past U+10FFFF), or 0 when s[0..len) does not start with one. */
size_t http_utf8_char(const char *s, size_t len);
/* True when s holds nothing but spaces (ASCII whitespace and the ideographic space). */
bool http_text_blank(const char *s);
/* The deepest nesting of a JSON text (arrays and objects), scanning outside strings. */
int http_json_depth(const char *s, size_t len);

#endif
