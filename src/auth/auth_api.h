/* auth_api.h — the routes of src/auth/auth_api.c (listed in src/routes.c). */
#ifndef TALA_AUTH_API_H
#define TALA_AUTH_API_H

#include "auth/auth.h"
#include "http/http.h"

/* The USER object of the API (docs/api.md). */
json_t *auth_user_json(const struct auth_user *u);

int auth_api_login(struct http_req *r);
int auth_api_logout(struct http_req *r);
int auth_api_me(struct http_req *r);
int auth_api_password(struct http_req *r);
int auth_api_totp_start(struct http_req *r);
int auth_api_totp_confirm(struct http_req *r);
int auth_api_users_list(struct http_req *r);
int auth_api_users_create(struct http_req *r);
int auth_api_grant_add(struct http_req *r);
int auth_api_grant_remove(struct http_req *r);
int auth_api_unlock(struct http_req *r);

#endif
