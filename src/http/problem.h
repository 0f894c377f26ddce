/* problem.h — the registry of stable error codes (docs/errors.md). */
#ifndef TALA_PROBLEM_H
#define TALA_PROBLEM_H

#include <stddef.h>

struct problem {
	const char *code;
	int status;
	const char *title;
	const char *title_zh;
};

/* The registered problem with this code, or NULL. */
const struct problem *problem_find(const char *code);
/* The i-th registered problem, or NULL past the end (for docs and tests). */
const struct problem *problem_at(size_t i);

#endif
