/*
 * heavy.h - the bounded queue of heavy requests (issue 19: eight
 * 100 000-sample sweeps made a listing take 4.8 s). A fixed number of
 * worker threads, started niced (+10, so the kernel serves a cheap request
 * first when both want a core), take the heavy requests in arrival order; at
 * most `waiting` wait, beyond that the request is refused at once (503).
 */
#ifndef P304_SERVER_HEAVY_H
#define P304_SERVER_HEAVY_H

#include "server/server.h"

struct srv_heavy;

/* nworkers threads, `waiting` places. NULL when out of memory/threads. */
struct srv_heavy *srv_heavy_start(unsigned nworkers, unsigned waiting);
/* Runs api_handle(api, rq, rp) on a worker and waits for it. Returns 0, or
 * -1 when the queue is full (nothing was run). */
int srv_heavy_run(struct srv_heavy *h, struct srv_api *api, const struct srv_request *rq,
		  struct srv_reply *rp);
/* Finishes the queued requests, joins the workers, frees. */
void srv_heavy_stop(struct srv_heavy *h);

#endif
