/* points_api.h — the routes of the points module (listed in src/routes.c). */
#ifndef TALA_POINTS_API_H
#define TALA_POINTS_API_H

#include "http/http.h"

int points_api_items_list(struct http_req *r);
int points_api_item_create(struct http_req *r);
int points_api_item_revise(struct http_req *r);
int points_api_periods_list(struct http_req *r);
int points_api_period_create(struct http_req *r);
int points_api_period_transition(struct http_req *r); /* /points/periods/{id}/{action} */
int points_api_entries_list(struct http_req *r);
int points_api_entry_create(struct http_req *r);
int points_api_entry_approve(struct http_req *r);
int points_api_entry_reject(struct http_req *r);
int points_api_entry_reverse(struct http_req *r);
int points_api_entry_spot_check(struct http_req *r);
int points_api_household_points(struct http_req *r);
int points_api_objection_create(struct http_req *r);
int points_api_objection_decide(struct http_req *r);
int points_api_objections_list(struct http_req *r);
int points_api_goods_list(struct http_req *r);
int points_api_goods_create(struct http_req *r);
int points_api_goods_restock(struct http_req *r);
int points_api_redemption_create(struct http_req *r);
int points_api_redemptions_list(struct http_req *r);
int points_api_redemption_settle(struct http_req *r); /* /points/redemptions/{id}/{pickup|cancel} */
int points_api_report(struct http_req *r);
int points_api_report_xlsx(struct http_req *r);
int points_api_public_ranking(struct http_req *r);
int points_api_public_household(struct http_req *r);
int points_api_public_objection(struct http_req *r);

#endif
