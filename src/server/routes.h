/*
 * routes.h - the API's route table (issue 20): one row per route drives
 * dispatch (api_handle), the 405s and their Allow header (server.c), the
 * query keys and multipart parts a route accepts, and whether it runs in
 * the heavy queue; test/unit/test_routes.c checks it against the route
 * headings of docs/api.md. Adding a route from another file is one
 * declaration below and one row in routes.c.
 */
#ifndef P304_SERVER_ROUTES_H
#define P304_SERVER_ROUTES_H

#include <stddef.h>

#include "server/server.h"

#define API_MAX_QUERY SRV_MAX_QUERY

typedef void api_handler(struct srv_api *api, const struct srv_request *rq,
			 struct srv_reply *rp);

struct api_route {
	const char *method;     /* "GET" (HEAD too), "POST" or "PUT" */
	const char *path;       /* exact, or ending in "{id}": the rest of the address */
	api_handler *handler;
	const char *query[API_MAX_QUERY + 1]; /* accepted query keys, NULL-terminated */
	const char *parts[SRV_MAX_PARTS + 1]; /* multipart part names, NULL-terminated */
	int heavy;              /* runs in the bounded heavy queue (server.c) */
};

extern const struct api_route api_routes[];
extern const size_t api_nroutes;

/* The route for method and url, or NULL; then *allow (when the path is
 * known under another method) receives "GET, PUT" style text, else "". */
const struct api_route *api_route_find(const char *method, const char *url, char *allow,
				       size_t allow_size);
/* Index of query key `key` in the route, or -1. */
int api_route_query(const struct api_route *r, const char *key);

/* The handlers (api.c, workspace.c; other files add theirs here). */
api_handler api_list_scenarios, api_get_scenario, api_put_scenario, api_tables,
	api_contours, api_allocate, api_compare, api_reconcile, api_sweep, api_export,
	api_check_plan, api_note;
/* api_ledger.c: the campaign ledger */
api_handler api_ledger_view, api_ledger_history, api_ledger_caps, api_ledger_avenant,
	api_ledger_import, api_ledger_record;

#endif
