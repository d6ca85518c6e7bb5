/*
 * test_routes.c - the API's route table (src/server/routes.c, issue 20):
 * every row has its heading in docs/api.md ("### `METHOD PATH?k=V&...`"
 * with the same query keys), every API heading of docs/api.md is a row,
 * and the lookup gives the 405's Allow from the same rows.
 */
#include "testutil.h"

#include "server/routes.h"

static char *read_doc(void)
{
	const char *root = getenv("P304_ROOT");
	char path[4096];
	FILE *fp;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/docs/api.md", root ? root : ".");
	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

/* The heading text of a route: "METHOD PATH" then "?k=K&..." */
static void heading_of(const struct api_route *r, char *out, size_t size)
{
	size_t o = (size_t)snprintf(out, size, "### `%s %s", r->method, r->path);

	for (int i = 0; r->query[i] && o < size; i++) {
		char up[16];
		size_t k;

		for (k = 0; r->query[i][k] && k + 1 < sizeof(up); k++)
			up[k] = (char)(r->query[i][k] - 'a' + 'A');
		up[k] = '\0';
		o += (size_t)snprintf(out + o, size - o, "%c%s=%.1s", i ? '&' : '?', r->query[i], up);
	}
	snprintf(out + o, size - o, "`");
}

static void every_route_has_its_heading(void **state)
{
	char *doc = read_doc();

	(void)state;
	for (size_t i = 0; i < api_nroutes; i++) {
		char h[256];

		heading_of(&api_routes[i], h, sizeof(h));
		if (!strstr(doc, h))
			fail_msg("docs/api.md has no heading %s", h);
	}
	free(doc);
}

static void every_heading_is_a_route(void **state)
{
	char *doc = read_doc();
	size_t n = 0;

	(void)state;
	for (char *p = strstr(doc, "\n### `"); p; p = strstr(p + 1, "\n### `")) {
		char method[8], path[128];
		char allow[64];
		int found = 0;

		if (sscanf(p, "\n### `%7[A-Z] %127[^`?]", method, path) != 2 ||
		    strncmp(path, "/api/", 5) != 0)
			continue;
		n++;
		for (size_t i = 0; i < api_nroutes; i++)
			found |= !strcmp(api_routes[i].method, method) && !strcmp(api_routes[i].path, path);
		if (!found)
			fail_msg("docs/api.md lists %s %s, which is not in the route table", method, path);
		(void)allow;
	}
	assert_int_equal(n, api_nroutes);
	free(doc);
}

static void lookup_and_allow(void **state)
{
	char allow[64];

	(void)state;
	assert_non_null(api_route_find("GET", "/api/scenarios/x", allow, sizeof(allow)));
	assert_non_null(api_route_find("HEAD", "/api/tables", allow, sizeof(allow)));
	assert_null(api_route_find("DELETE", "/api/scenarios/x", allow, sizeof(allow)));
	assert_string_equal(allow, "GET, PUT");
	assert_null(api_route_find("GET", "/api/check-plan", allow, sizeof(allow)));
	assert_string_equal(allow, "POST");
	assert_null(api_route_find("GET", "/api/scenarios/", allow, sizeof(allow)));
	assert_null(api_route_find("GET", "/api/nothing", allow, sizeof(allow)));
	assert_string_equal(allow, "");
	assert_int_equal(api_route_query(api_route_find("POST", "/api/export", allow,
							sizeof(allow)), "kind"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_has_its_heading),
		cmocka_unit_test(every_heading_is_a_route),
		cmocka_unit_test(lookup_and_allow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
