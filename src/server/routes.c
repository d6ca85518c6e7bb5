/*
 * routes.c - the route table (routes.h). docs/api.md has one heading per
 * row, "### `METHOD PATH[?k=V&...]`", checked by test/unit/test_routes.c.
 */
#include "server/routes.h"

#include <stdio.h>
#include <string.h>

/* heavy: what can take seconds of CPU (a sweep, an export drawing charts or
 * writing a workbook) waits its turn in the bounded queue; the rest, a few
 * milliseconds each, never waits behind it (issue 19). */
const struct api_route api_routes[] = {
	{ "GET", "/api/scenarios", api_list_scenarios, { NULL }, { NULL }, 0 },
	{ "GET", "/api/scenarios/{id}", api_get_scenario, { "part", NULL }, { NULL }, 0 },
	{ "PUT", "/api/scenarios/{id}", api_put_scenario, { NULL }, { "scenario", "needs", "caps", NULL },
	  0 },
	{ "GET", "/api/tables", api_tables, { NULL }, { NULL }, 0 },
	{ "GET", "/api/contours", api_contours, { NULL }, { NULL }, 0 },
	{ "POST", "/api/allocate", api_allocate, { NULL }, { "scenario", "complement", NULL }, 0 },
	{ "POST", "/api/compare", api_compare, { NULL }, { NULL }, 0 },
	{ "POST", "/api/reconcile", api_reconcile, { NULL }, { "scenario", "needs", "caps", NULL }, 0 },
	{ "POST", "/api/sweep", api_sweep, { NULL }, { NULL }, 1 },
	{ "POST", "/api/export", api_export, { "format", "kind", "chart", "code", NULL },
	  { "scenario", "needs", "caps", NULL }, 1 },
	{ "POST", "/api/check-plan", api_check_plan, { "framework", NULL },
	  { "plan", "scenario", NULL }, 0 },
	{ "POST", "/api/note", api_note, { "format", "kind", "year", NULL },
	  { "scenario", "needs", "caps", NULL }, 1 },
	{ "GET", "/api/ledger/view", api_ledger_view, { "stage", "minus", "years", "format", "codes", NULL },
	  { NULL }, 0 },
	{ "GET", "/api/ledger/history/{id}", api_ledger_history, { "year", NULL }, { NULL }, 0 },
	{ "GET", "/api/ledger/caps", api_ledger_caps, { "year", NULL }, { NULL }, 0 },
	{ "GET", "/api/ledger/avenant", api_ledger_avenant, { "year", "rule", "rate", NULL },
	  { NULL }, 0 },
	{ "POST", "/api/ledger/import", api_ledger_import, { "stage", "year", "comment", NULL },
	  { "file", NULL }, 0 },
	{ "POST", "/api/ledger/record", api_ledger_record, { "stage", "year", "comment", NULL },
	  { "scenario", "needs", "caps", NULL }, 0 },
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

static int path_match(const char *pattern, const char *url)
{
	size_t n = strlen(pattern);

	if (n > 4 && strcmp(pattern + n - 4, "{id}") == 0)
		return strncmp(url, pattern, n - 4) == 0 && url[n - 4] != '\0';
	return strcmp(url, pattern) == 0;
}

const struct api_route *api_route_find(const char *method, const char *url, char *allow,
				       size_t allow_size)
{
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;
	size_t o = 0;

	if (allow_size)
		allow[0] = '\0';
	for (size_t i = 0; i < api_nroutes; i++) {
		if (!path_match(api_routes[i].path, url))
			continue;
		if (strcmp(api_routes[i].method, m) == 0)
			return &api_routes[i];
		if (o < allow_size)
			o += (size_t)snprintf(allow + o, allow_size - o, "%s%s", o ? ", " : "",
					      api_routes[i].method);
	}
	return NULL;
}

int api_route_query(const struct api_route *r, const char *key)
{
	for (int i = 0; r->query[i]; i++)
		if (strcmp(r->query[i], key) == 0)
			return i;
	return -1;
}
