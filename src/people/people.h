/* people.h — people (人员) and households (户) on the org tree. ID-card numbers are kept
 * sealed (SM4 + HMAC-SM3, see core/crypto.h) with a keyed blind index for duplicates and a
 * masked copy for screens (1504**********1234); phone numbers are masked for roles that do
 * not need them. Reading a full ID-card number is audited. */
#ifndef TALA_PEOPLE_H
#define TALA_PEOPLE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;
struct db_conn;
struct org_node;

/* True for a calendar date from 1800 to 2100 that exists (leap years counted). */
bool people_date_valid(int year, int month, int day);
/* True for "YYYY-MM-DD" naming such a date. */
bool people_birth_date_valid(const char *s);
/* True for an 18-character resident ID number (GB 11643) with a valid check digit. */
bool people_id_number_valid(const char *id);
/* "150423198001011234" → "1504**********1234" (out needs 19 bytes). */
void people_id_number_mask(const char *id, char out[19]);
/* "13812345678" → "138****5678" into out (size outlen); short numbers become "****". */
void people_phone_mask(const char *phone, char *out, size_t outlen);
/* True when phone is 5–20 characters of digits, spaces, + and -, at least 5 of them digits. */
bool people_phone_valid(const char *phone);

struct people_person_in {
	const char *name, *gender, *birth_date, *id_number, *phone, *relation;
	bool is_party_member;
	int64_t household_id; /* 0: none */
};

enum people_store_error { PEOPLE_DUPLICATE_ID = -200 };

/* Creates a person on node; returns DB status, PEOPLE_DUPLICATE_ID for a registered ID. */
int people_store_person_create(struct db_conn *c, const struct org_node *node,
			       const struct people_person_in *p, int64_t now_ms, int64_t *id);
/* Creates a household on node; code may be NULL (generated). DB_ERR_UNIQUE on a taken code. */
int people_store_household_create(struct db_conn *c, const struct org_node *node,
				  const char *code, const char *head_name, const char *address,
				  const char *phone, int64_t members, int64_t now_ms, int64_t *id);
/* The node path and id a person or household belongs to (for scope checks). */
int people_store_person_node(struct db_conn *c, int64_t id, struct arena *a, char **path,
			     int64_t *node_id);
int people_store_household_node(struct db_conn *c, int64_t id, struct arena *a, char **path,
				int64_t *node_id);
/* Appends people of the subtree at path (optionally of one household, optionally matching q
 * in the name) to items. full_phone: show phone numbers unmasked. */
int people_store_people_list(struct db_conn *c, const char *path, int64_t household_id,
			     const char *q, bool full_phone, json_t *items);
/* One person as JSON; DB_DONE when missing. */
int people_store_person_get(struct db_conn *c, int64_t id, bool full_phone, json_t **out);
/* Appends households of the subtree at path to items. */
int people_store_households_list(struct db_conn *c, const char *path, const char *q,
				 bool full_phone, json_t *items);
int people_store_household_get(struct db_conn *c, int64_t id, bool full_phone, json_t **out);
/* The decrypted ID-card number (malloc'd) of a person; DB_DONE when none is recorded. */
int people_store_id_number(struct db_conn *c, int64_t id, char **out);

#endif
