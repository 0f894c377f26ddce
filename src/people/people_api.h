/* people_api.h — the routes of src/people/people_api.c (listed in src/routes.c). */
#ifndef TALA_PEOPLE_API_H
#define TALA_PEOPLE_API_H

#include "http/http.h"

int people_api_households_list(struct http_req *r);
int people_api_household_create(struct http_req *r);
int people_api_household_get(struct http_req *r);
int people_api_people_list(struct http_req *r);
int people_api_person_create(struct http_req *r);
int people_api_person_get(struct http_req *r);
int people_api_person_id_number(struct http_req *r);

#endif
