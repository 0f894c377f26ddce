/* live_api.h — the live module's route handlers (src/routes.c lists them). */
#ifndef TALA_LIVE_API_H
#define TALA_LIVE_API_H

#include "http/http.h"

/* streams (live_api.c) */
int live_api_stream_create(struct http_req *r);
int live_api_streams_list(struct http_req *r);
int live_api_stream_get(struct http_req *r);
int live_api_stream_update(struct http_req *r);
int live_api_stream_start(struct http_req *r);
int live_api_stream_end(struct http_req *r);
int live_api_viewers_add(struct http_req *r);
int live_api_public_viewers_add(struct http_req *r);
int live_api_viewers_list(struct http_req *r);
int live_api_timeline(struct http_req *r);
int live_api_words_list(struct http_req *r);
int live_api_word_add(struct http_req *r);
int live_api_word_delete(struct http_req *r);

/* hot questions, moderation, events (live_hot_api.c) */
int live_api_hot_list(struct http_req *r);
int live_api_hot_get(struct http_req *r);
int live_api_hot_action(struct http_req *r);
int live_api_events(struct http_req *r);
int live_api_questions_list(struct http_req *r);
int live_api_question_moderate(struct http_req *r);

/* the viewer's side (live_public_api.c) */
int live_api_question_post(struct http_req *r);
int live_api_public_stream(struct http_req *r);
int live_api_public_questions(struct http_req *r);
int live_api_public_upvote(struct http_req *r);

/* the join QR code (live_qr_api.c) */
int live_api_qr_svg(struct http_req *r);
int live_api_qr_png(struct http_req *r);
int live_api_public_qr_svg(struct http_req *r);
int live_api_public_qr_png(struct http_req *r);

/* outside comments (live_import.c) */
int live_api_import(struct http_req *r);

#endif
