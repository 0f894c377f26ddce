/* org_api.h — the routes of src/org/org_api.c (listed in src/routes.c). */
#ifndef TALA_ORG_API_H
#define TALA_ORG_API_H

#include "http/http.h"

int org_api_nodes_list(struct http_req *r);
int org_api_node_get(struct http_req *r);
int org_api_node_create(struct http_req *r);
int org_api_node_update(struct http_req *r);
int org_api_party_org_create(struct http_req *r);

#endif
