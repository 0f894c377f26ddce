/* audit_api.h — the routes of src/audit/audit_api.c (listed in src/routes.c). */
#ifndef TALA_AUDIT_API_H
#define TALA_AUDIT_API_H

#include "http/http.h"

int audit_api_list(struct http_req *r);

#endif
