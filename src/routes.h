/* routes.h — the route table of the API (src/routes.c). */
#ifndef TALA_ROUTES_H
#define TALA_ROUTES_H

#include "http/http.h"

extern const struct route routes[];
extern const size_t routes_count;

#endif
