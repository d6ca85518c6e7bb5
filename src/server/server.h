/*
 * server.h - `p304 serve`: the HTTP layer (libmicrohttpd, server.c) and the
 * JSON API over the workflows (api.c). Contract: docs/api.md.
 */
#ifndef P304_SERVER_H
#define P304_SERVER_H

#include <stddef.h>

#include <p304/workflow.h>

#define SRV_MAX_BODY ((size_t)8 << 20) /* 8 MiB */
#define SRV_THREADS 4
#define SRV_MAX_CONNECTIONS 256
#define SRV_TIMEOUT_S 10

struct srv_config {
	const char *listen;    /* IPv4 address, "127.0.0.1" by default */
	unsigned port;         /* 0 = a free port */
	const char *datadir;   /* shipped data (p304_datadir()) */
	const char *webdir;    /* the page */
	const char *workspace; /* saved scenarios */
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

/* One request as the API sees it (the HTTP layer fills it). */
struct srv_request {
	const char *method, *url, *query_format, *query_kind;
	const char *body;      /* NUL-terminated */
	size_t len;
	int multipart;
	/* multipart parts by name: scenario, needs, caps */
	const char *part[3];
	size_t part_len[3];
	int part_seen[3];
};

struct srv_api;   /* the loaded data, read-only between requests */

p304_code api_load(struct srv_api **out, const char *datadir, const char *workspace,
		   p304_error *err);
void api_free(struct srv_api *api);
/* Answers an /api/ request. */
void api_handle(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp);
/* Error replies. */
void api_error(struct srv_reply *rp, unsigned status, const char *code, const char *message,
	       const char *file, long line, const char *field);

#endif
