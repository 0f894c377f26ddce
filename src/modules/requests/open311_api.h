/* open311_api.h — the Open311 GeoReport v2 API under /open311/v2/ (listed in src/routes.c),
 * each resource in .json and .xml: an Open311 client files ordinary orders (source open311)
 * with an api key (`tala apikey add`), and anyone may follow service requests. */
#ifndef TALA_OPEN311_API_H
#define TALA_OPEN311_API_H

#include "http/http.h"

/* GET discovery.{json,xml} */
int open311_api_discovery(struct http_req *r);
/* GET services.{json,xml}: every active category */
int open311_api_services(struct http_req *r);
/* GET services/{code}.{json,xml}: its attributes */
int open311_api_service_definition(struct http_req *r);
/* POST requests.{json,xml}: a form with api_key; a new order */
int open311_api_request_create(struct http_req *r);
/* GET requests.{json,xml}: service requests by id, code, dates and status */
int open311_api_requests_list(struct http_req *r);
/* GET requests/{id}.{json,xml} */
int open311_api_request_get(struct http_req *r);
/* GET tokens/{token}.{json,xml}: the service request of a token (the order's ticket) */
int open311_api_token_get(struct http_req *r);

#endif
