/* routes.c — the static route table: every URL the API answers, its method, handler and
 * flags. The web app's files are served for every other GET (src/http/static.c). */
#include "routes.h"

#include "audit/audit_api.h"
#include "auth/auth_api.h"
#include "core/clock.h"
#include "modules/live/live.h"
#include "modules/live/live_api.h"
#include "modules/live/live_faq.h"
#include "modules/live/live_report.h"
#include "modules/points/points_api.h"
#include "modules/requests/open311_api.h"
#include "modules/requests/requests_api.h"
#include "org/org_api.h"
#include "people/people_api.h"
#include "store/db.h"
#include "version.h"

static int routes_healthz(struct http_req *r)
{
	return http_reply_json(r, 200,
			       json_pack("{s:s, s:s, s:s, s:I}", "status", "ok", "db",
					 db_backend_name(r->db), "version", TALA_VERSION,
					 "live_rooms", (json_int_t)live_rooms_built()));
}

/* POST /api/v1/test/clock {"advance_ms":N} — only with TALA_TEST_CLOCK=1. */
static int routes_test_clock(struct http_req *r)
{
	int64_t ms = 0;
	struct json_field spec[] = {
		{"advance_ms", JF_INT, true, 0, &ms, NULL},
		{NULL, 0, false, 0, NULL, NULL},
	};
	if (http_json_fields(r, spec) < 0)
		return HTTP_DONE;
	if (ms < 0 || ms > 366LL * 86400000)
		return http_reply_problem(r, "request.bad_field", "advance_ms: 0 to a year",
					  "advance_ms");
	clock_advance_ms(ms);
	return http_reply_json(r, 200, json_pack("{s:I}", "now", (json_int_t)clock_now_ms()));
}

const struct route routes[] = {
	{HTTP_GET, "/healthz", routes_healthz, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/test/clock", routes_test_clock, ROUTE_PUBLIC | ROUTE_TEST},

	{HTTP_POST, "/api/v1/session", auth_api_login, ROUTE_PUBLIC},
	{HTTP_DELETE, "/api/v1/session", auth_api_logout, ROUTE_SETUP},
	{HTTP_GET, "/api/v1/me", auth_api_me, ROUTE_SETUP},
	{HTTP_POST, "/api/v1/me/password", auth_api_password, ROUTE_SETUP},
	{HTTP_POST, "/api/v1/me/totp", auth_api_totp_start, ROUTE_SETUP},
	{HTTP_POST, "/api/v1/me/totp/confirm", auth_api_totp_confirm, ROUTE_SETUP},

	{HTTP_GET, "/api/v1/users", auth_api_users_list, 0},
	{HTTP_POST, "/api/v1/users", auth_api_users_create, 0},
	{HTTP_POST, "/api/v1/users/{}/roles", auth_api_grant_add, 0},
	{HTTP_DELETE, "/api/v1/users/{}/roles/{}", auth_api_grant_remove, 0},
	{HTTP_POST, "/api/v1/users/{}/unlock", auth_api_unlock, 0},

	{HTTP_GET, "/api/v1/org/nodes", org_api_nodes_list, 0},
	{HTTP_POST, "/api/v1/org/nodes", org_api_node_create, 0},
	{HTTP_GET, "/api/v1/org/nodes/{}", org_api_node_get, 0},
	{HTTP_PATCH, "/api/v1/org/nodes/{}", org_api_node_update, 0},
	{HTTP_POST, "/api/v1/org/party-orgs", org_api_party_org_create, 0},

	{HTTP_GET, "/api/v1/households", people_api_households_list, 0},
	{HTTP_POST, "/api/v1/households", people_api_household_create, 0},
	{HTTP_GET, "/api/v1/households/{}", people_api_household_get, 0},
	{HTTP_GET, "/api/v1/people", people_api_people_list, 0},
	{HTTP_POST, "/api/v1/people", people_api_person_create, 0},
	{HTTP_GET, "/api/v1/people/{}", people_api_person_get, 0},
	{HTTP_GET, "/api/v1/people/{}/id-number", people_api_person_id_number, 0},

	{HTTP_GET, "/api/v1/audit", audit_api_list, 0},

	{HTTP_GET, "/api/v1/points/items", points_api_items_list, 0},
	{HTTP_POST, "/api/v1/points/items", points_api_item_create, 0},
	{HTTP_PUT, "/api/v1/points/items/{}", points_api_item_revise, 0},
	{HTTP_GET, "/api/v1/points/periods", points_api_periods_list, 0},
	{HTTP_POST, "/api/v1/points/periods", points_api_period_create, 0},
	{HTTP_POST, "/api/v1/points/periods/{}/{}", points_api_period_transition, 0},
	{HTTP_GET, "/api/v1/points/entries", points_api_entries_list, 0},
	{HTTP_POST, "/api/v1/points/entries", points_api_entry_create, 0},
	{HTTP_POST, "/api/v1/points/entries/{}/approve", points_api_entry_approve, 0},
	{HTTP_POST, "/api/v1/points/entries/{}/reject", points_api_entry_reject, 0},
	{HTTP_POST, "/api/v1/points/entries/{}/reverse", points_api_entry_reverse, 0},
	{HTTP_POST, "/api/v1/points/entries/{}/spot-check", points_api_entry_spot_check, 0},
	{HTTP_GET, "/api/v1/households/{}/points", points_api_household_points, 0},
	{HTTP_GET, "/api/v1/points/objections", points_api_objections_list, 0},
	{HTTP_POST, "/api/v1/points/objections", points_api_objection_create, 0},
	{HTTP_POST, "/api/v1/points/objections/{}/decide", points_api_objection_decide, 0},
	{HTTP_GET, "/api/v1/points/goods", points_api_goods_list, 0},
	{HTTP_POST, "/api/v1/points/goods", points_api_goods_create, 0},
	{HTTP_POST, "/api/v1/points/goods/{}/restock", points_api_goods_restock, 0},
	{HTTP_GET, "/api/v1/points/redemptions", points_api_redemptions_list, 0},
	{HTTP_POST, "/api/v1/points/redemptions", points_api_redemption_create, 0},
	{HTTP_POST, "/api/v1/points/redemptions/{}/{}", points_api_redemption_settle, 0},
	{HTTP_GET, "/api/v1/points/report", points_api_report, 0},
	{HTTP_GET, "/api/v1/points/report.xlsx", points_api_report_xlsx, 0},
	{HTTP_GET, "/api/v1/public/points/ranking", points_api_public_ranking, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/public/points/households/{}", points_api_public_household,
	 ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/public/points/objections", points_api_public_objection, ROUTE_PUBLIC},

	{HTTP_GET, "/api/v1/orders", requests_api_orders_list, 0},
	{HTTP_POST, "/api/v1/orders", requests_api_order_create, 0},
	{HTTP_GET, "/api/v1/orders/rates", requests_api_rates, 0},
	{HTTP_GET, "/api/v1/orders/rates.xlsx", requests_api_rates_xlsx, 0},
	{HTTP_GET, "/api/v1/orders/{}", requests_api_order_get, 0},
	{HTTP_GET, "/api/v1/orders/{}/suggestions", requests_api_order_suggestions, 0},
	{HTTP_POST, "/api/v1/orders/{}/dispatch", requests_api_order_dispatch, 0},
	{HTTP_POST, "/api/v1/orders/{}/escalate", requests_api_order_escalate, 0},
	{HTTP_POST, "/api/v1/orders/{}/visit", requests_api_order_visit, 0},
	{HTTP_POST, "/api/v1/orders/{}/review", requests_api_order_unreasonable, 0},
	{HTTP_POST, "/api/v1/orders/{}/photos", requests_api_photo_add, 0},
	{HTTP_GET, "/api/v1/orders/{}/photos/{}", requests_api_photo_get, 0},
	{HTTP_POST, "/api/v1/orders/{}/{}", requests_api_order_volunteer, 0},
	{HTTP_GET, "/api/v1/me/orders", requests_api_my_orders, 0},
	{HTTP_GET, "/api/v1/public/request-categories", requests_api_public_categories, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/public/orders", requests_api_public_order_create, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/public/orders/{}", requests_api_public_order_get, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/public/orders/{}/rate", requests_api_public_order_rate, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/public/orders/{}/cancel", requests_api_public_order_cancel, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/public/orders/{}/photos", requests_api_public_photo_add, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/public/orders/{}/photos/{}", requests_api_public_photo_get, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/volunteers", requests_api_volunteers_list, 0},
	{HTTP_POST, "/api/v1/volunteers", requests_api_volunteer_create, 0},
	{HTTP_GET, "/api/v1/volunteers.xlsx", requests_api_volunteers_xlsx, 0},
	{HTTP_POST, "/api/v1/volunteers/import", requests_api_volunteers_import, 0},
	{HTTP_GET, "/api/v1/volunteers/{}", requests_api_volunteer_get, 0},
	{HTTP_PATCH, "/api/v1/volunteers/{}", requests_api_volunteer_update, 0},
	{HTTP_POST, "/api/v1/volunteers/{}/pairings", requests_api_pairing_create, 0},
	{HTTP_GET, "/api/v1/activities", requests_api_activities_list, 0},
	{HTTP_POST, "/api/v1/activities", requests_api_activity_create, 0},
	{HTTP_POST, "/api/v1/activities/{}/signups", requests_api_activity_signup, 0},
	{HTTP_POST, "/api/v1/activities/{}/signups/{}/attend", requests_api_activity_attend, 0},
	{HTTP_GET, "/api/v1/calendar", requests_api_calendar_list, 0},
	{HTTP_PUT, "/api/v1/calendar/{}", requests_api_calendar_set, 0},

	/* live Q&A (直播问答): docs/live.md */
	{HTTP_GET, "/api/v1/streams", live_api_streams_list, 0},
	{HTTP_POST, "/api/v1/streams", live_api_stream_create, 0},
	{HTTP_GET, "/api/v1/streams/{}", live_api_stream_get, 0},
	{HTTP_PATCH, "/api/v1/streams/{}", live_api_stream_update, 0},
	{HTTP_POST, "/api/v1/streams/{}/start", live_api_stream_start, 0},
	{HTTP_POST, "/api/v1/streams/{}/end", live_api_stream_end, 0},
	{HTTP_POST, "/api/v1/streams/{}/questions", live_api_question_post, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/streams/{}/questions", live_api_questions_list, 0},
	{HTTP_POST, "/api/v1/streams/{}/questions/{}/moderate", live_api_question_moderate, 0},
	{HTTP_POST, "/api/v1/streams/{}/import", live_api_import, 0},
	{HTTP_GET, "/api/v1/streams/{}/hot", live_api_hot_list, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/streams/{}/hot/{}", live_api_hot_get, 0},
	{HTTP_POST, "/api/v1/streams/{}/hot/{}/{}", live_api_hot_action, 0},
	{HTTP_GET, "/api/v1/streams/{}/events", live_api_events, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/streams/{}/viewers", live_api_viewers_list, 0},
	{HTTP_POST, "/api/v1/streams/{}/viewers", live_api_viewers_add, 0},
	{HTTP_POST, "/api/v1/public/streams/{}/viewers", live_api_public_viewers_add, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/streams/{}/timeline", live_api_timeline, 0},
	{HTTP_GET, "/api/v1/streams/{}/qr.svg", live_api_qr_svg, 0},
	{HTTP_GET, "/api/v1/streams/{}/qr.png", live_api_qr_png, 0},
	{HTTP_GET, "/api/v1/public/streams/{}/qr.svg", live_api_public_qr_svg, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/public/streams/{}/qr.png", live_api_public_qr_png, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/live/sensitive-words", live_api_words_list, 0},
	{HTTP_POST, "/api/v1/live/sensitive-words", live_api_word_add, 0},
	{HTTP_DELETE, "/api/v1/live/sensitive-words/{}", live_api_word_delete, 0},
	{HTTP_GET, "/api/v1/public/streams/{}", live_api_public_stream, ROUTE_PUBLIC},
	{HTTP_GET, "/api/v1/public/streams/{}/questions", live_api_public_questions, ROUTE_PUBLIC},
	{HTTP_POST, "/api/v1/public/questions/{}/upvote", live_api_public_upvote, ROUTE_PUBLIC},

	/* live Q&A: report, summary, FAQ */
	{HTTP_GET, "/api/v1/streams/{}/report", live_report_api_get, 0},
	{HTTP_GET, "/api/v1/streams/{}/report.xlsx", live_report_api_xlsx, 0},
	{HTTP_GET, "/api/v1/streams/{}/report.pdf", live_report_api_pdf, 0},
	{HTTP_GET, "/api/v1/live/summary", live_report_api_summary, 0},
	{HTTP_GET, "/api/v1/faq", live_faq_api_list, 0},
	{HTTP_POST, "/api/v1/faq", live_faq_api_create, 0},
	{HTTP_PATCH, "/api/v1/faq/{}", live_faq_api_update, 0},
	{HTTP_DELETE, "/api/v1/faq/{}", live_faq_api_delete, 0},
	{HTTP_GET, "/api/v1/public/faq/suggest", live_faq_api_public_suggest, ROUTE_PUBLIC},

	/* Open311 GeoReport v2: public; posting needs an api_key in the form */
	{HTTP_GET, "/open311/v2/discovery.json", open311_api_discovery, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/discovery.xml", open311_api_discovery, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/services.json", open311_api_services, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/services.xml", open311_api_services, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/services/{}", open311_api_service_definition, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/requests.json", open311_api_requests_list, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/requests.xml", open311_api_requests_list, ROUTE_PUBLIC},
	{HTTP_POST, "/open311/v2/requests.json", open311_api_request_create, ROUTE_PUBLIC},
	{HTTP_POST, "/open311/v2/requests.xml", open311_api_request_create, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/requests/{}", open311_api_request_get, ROUTE_PUBLIC},
	{HTTP_GET, "/open311/v2/tokens/{}", open311_api_token_get, ROUTE_PUBLIC},
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
