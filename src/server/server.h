/*
 * server.h - `p304 serve`: the HTTP layer (libmicrohttpd, server.c) and the
 * JSON API over the workflows (api.c). Contract: docs/api.md.
 */
#ifndef P304_SERVER_H
#define P304_SERVER_H

/* The query keys a route may accept (routes.c's table). */
#define SRV_MAX_QUERY 5

#include <stddef.h>

#include <p304/workflow.h>

#include "server/parts.h"

/* Request bodies (docs/api.md, "Limits"): a scenario is about 1.4 KB, a
 * result or a needs table a few tens of KiB; 8 MiB let one JSON body of 4.2
 * million values cost 9 s and 360 MB (F2). */
#define SRV_MAX_BODY ((size_t)1 << 20) /* 1 MiB */
#define SRV_MAX_JSON_VALUES 20000
/* Connections (docs/api.md, "Limits"): past SRV_MAX_CONNECTIONS the
 * one waiting longest for its headers or its body is closed to make room, and one
 * address holds at most SRV_PER_ADDRESS; headers must arrive within
 * SRV_HEADER_S of the connection (or of the previous answer), a body within
 * SRV_BODY_S of its headers; SRV_TIMEOUT_S of silence closes any. */
#define SRV_MAX_CONNECTIONS 256
#define SRV_PER_ADDRESS 200
#define SRV_HEADER_S 5
#define SRV_BODY_S 60
#define SRV_TIMEOUT_S 10
/* Heavy requests (sweep, export): this many at once, this many waiting. */
#define SRV_HEAVY_DEFAULT 1
#define SRV_HEAVY_WAITING 16
/* Saved scenarios (serve --max-scenarios, --max-workspace-mb). */
#define SRV_WS_MAX_COUNT 200
#define SRV_WS_MAX_BYTES ((size_t)64 << 20)

struct srv_config {
	const char *listen;    /* IPv4 address, "127.0.0.1" by default */
	unsigned port;         /* 0 = a free port */
	const char *datadir;   /* shipped data (p304_datadir()) */
	const char *webdir;    /* the page */
	const char *workspace; /* saved scenarios */
	unsigned heavy;        /* heavy requests at once (0: SRV_HEAVY_DEFAULT) */
	size_t ws_max_count;   /* saved scenarios at most (0: SRV_WS_MAX_COUNT) */
	size_t ws_max_bytes;   /* their bytes at most (0: SRV_WS_MAX_BYTES) */
	const char *ledger;    /* the campaign ledger (serve --ledger; default
				* WORKSPACE/campagne.sqlite), or NULL: none */
};

typedef struct srv srv;

/* Loads the shipped data and starts listening (worker threads run the
 * requests). *port receives the port bound. */
p304_code srv_start(const struct srv_config *cfg, srv **out, unsigned *port,
		    p304_error *err);
/* Stops listening, waits for the running requests, frees everything. */
void srv_stop(srv *s);

/* ------------------------------------------------------------------ */
/* Private to src/server/                                               */
/* ------------------------------------------------------------------ */

/* What a handler answers. body is malloc'd (or NULL). */
struct srv_reply {
	unsigned status;
	char *body;
	size_t len;
	const char *type;      /* Content-Type */
	char *filename;        /* attachment name, or NULL */
	const char *allow;     /* for 405 */
};

struct api_route;
struct srv_parts;

/* One request as the API sees it (the HTTP layer fills it). */
struct srv_request {
	const char *method, *url;
	const struct api_route *route;
	const char *id;        /* the address after a route's "{id}", or NULL */
	const char *query[SRV_MAX_QUERY]; /* values of the route's query keys, in its order, or NULL */
	const char *body;      /* NUL-terminated */
	size_t len;
	int multipart;
	const struct srv_parts *parts; /* when multipart: complete, checked */
};

struct srv_api;   /* the loaded data, read-only between requests */

p304_code api_load(struct srv_api **out, const struct srv_config *cfg, p304_error *err);
void api_free(struct srv_api *api);
/* Answers an /api/ request. */
void api_handle(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp);
/* The campaign ledger's routes (api_ledger.c): its state, opened by
 * api_load, and what they borrow from api.c. */
struct api_ledger;
p304_code api_ledger_open(const char *path, const char *reference, struct api_ledger **out,
			  p304_error *err);
void api_ledger_free(struct api_ledger *al);
struct api_ledger *api_ledger_of(struct srv_api *api);
/* The ledger's history of [year0, year1] for the note (api_note.c): 1 and
 * *d (free with p304_ledger_digest_free), 0 when the ledger does not exist
 * yet, -1 and rp the refusal. */
struct p304_ledger_digest;
int api_ledger_digest(struct api_ledger *al, int year0, int year1,
		      struct p304_ledger_digest **d, struct srv_reply *rp);
/* A workflow error as the other routes answer it (file, line, field). */
void api_reply_p304(struct srv_reply *rp, const p304_error *err);
/* Runs /api/allocate's workflow (reconcile = 0: body or part "scenario")
 * or /api/reconcile's (parts scenario, needs, caps) on the request; 0 and
 * rp holding the result's JSON (200), else -1 and rp the refusal. */
int api_compute(struct srv_api *api, const struct srv_request *rq, int reconcile,
		struct srv_reply *rp);
/* Error replies. */
void api_error(struct srv_reply *rp, unsigned status, const char *code, const char *message,
	       const char *file, long line, const char *field);

#endif
