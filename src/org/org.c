/* org.c — org tree rules and JSON shapes. */
#include "org/org.h"

#include <string.h>

static const char *const org_levels[] = {"region", "city", "county", "town", "village", "group"};

int org_level_rank(const char *level)
{
	for (int i = 0; i < (int)(sizeof(org_levels) / sizeof(org_levels[0])); i++)
		if (level && strcmp(level, org_levels[i]) == 0)
			return i;
	return -1;
}

bool org_code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || n > 64)
		return false;
	/* All digits would read as a numeric id wherever a reference takes either. */
	if (strspn(code, "0123456789") == n)
		return false;
	for (const char *p = code; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

json_t *org_node_brief(const struct org_node *n)
{
	return json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)n->id, "code", n->code, "name",
			 n->name, "level", n->level);
}

json_t *org_node_json(const struct org_node *n)
{
	json_t *j = org_node_brief(n);
	json_object_set_new(j, "parent_id", n->parent_id ? json_integer(n->parent_id) : json_null());
	json_object_set_new(j, "children", json_integer(n->children));
	return j;
}

bool org_path_is_root(const char *path)
{
	int slashes = 0;
	for (const char *p = path; *p; p++)
		slashes += *p == '/';
	return slashes == 2;
}
