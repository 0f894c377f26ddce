/* auth_scope.c — the node a request works on, checked against the user's grants. */
#include "auth/auth.h"

#include "core/mem.h"
#include "org/org.h"
#include "store/db.h"

#include <stdio.h>

int auth_scope_node(struct db_conn *c, struct arena *a, const struct auth_user *u,
		    const char **ref, unsigned roles, struct org_node **out)
{
	if (!*ref) {
		/* no node named: the node of the user's first grant that may do this */
		for (int i = 0; u && i < u->ngrants && !*ref; i++)
			if (u->grants[i].role & roles)
				*ref = arena_printf(a, "%lld", (long long)u->grants[i].node_id);
		if (!*ref)
			return AUTH_SCOPE_FORBIDDEN;
	}
	int rc = org_store_get(c, a, *ref, out);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return AUTH_SCOPE_NO_NODE;
	if (roles && !auth_can(u, roles, (*out)->path))
		return AUTH_SCOPE_FORBIDDEN;
	return 0;
}
