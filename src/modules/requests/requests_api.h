/* requests_api.h — the routes of the requests module (listed in src/routes.c). */
#ifndef TALA_REQUESTS_API_H
#define TALA_REQUESTS_API_H

#include "http/http.h"

/* staff */
int requests_api_orders_list(struct http_req *r);
int requests_api_order_create(struct http_req *r);
int requests_api_order_get(struct http_req *r);
int requests_api_order_suggestions(struct http_req *r);
int requests_api_order_dispatch(struct http_req *r);
int requests_api_order_escalate(struct http_req *r);
int requests_api_order_visit(struct http_req *r);
int requests_api_order_unreasonable(struct http_req *r);
/* volunteer: /orders/{id}/{accept|decline|start|progress|complete} */
int requests_api_order_volunteer(struct http_req *r);
int requests_api_my_orders(struct http_req *r);
/* public (ticket) */
int requests_api_public_categories(struct http_req *r);
int requests_api_public_order_create(struct http_req *r);
int requests_api_public_order_get(struct http_req *r);
int requests_api_public_order_rate(struct http_req *r);
int requests_api_public_order_cancel(struct http_req *r);
/* talent pool, pairings, activities, calendar, rates */
int requests_api_volunteers_list(struct http_req *r);
int requests_api_volunteer_create(struct http_req *r);
int requests_api_volunteer_get(struct http_req *r);
int requests_api_volunteer_update(struct http_req *r);
int requests_api_volunteers_xlsx(struct http_req *r);
int requests_api_volunteers_import(struct http_req *r);
int requests_api_pairing_create(struct http_req *r);
int requests_api_activities_list(struct http_req *r);
int requests_api_activity_create(struct http_req *r);
int requests_api_activity_signup(struct http_req *r);
int requests_api_activity_attend(struct http_req *r);
int requests_api_calendar_list(struct http_req *r);
int requests_api_calendar_set(struct http_req *r);
int requests_api_rates(struct http_req *r);
int requests_api_rates_xlsx(struct http_req *r);
/* photos */
int requests_api_photo_add(struct http_req *r);
int requests_api_photo_get(struct http_req *r);
int requests_api_public_photo_add(struct http_req *r);
int requests_api_public_photo_get(struct http_req *r);

#endif
