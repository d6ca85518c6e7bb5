/*
 * api_priv.h - what api.c shares with the other handler files of the API
 * (api_note.c): the workflows run on a request's documents, the replies.
 * Private to src/server/.
 */
#ifndef P304_SERVER_API_PRIV_H
#define P304_SERVER_API_PRIV_H

#include <stdio.h>

#include <p304/io.h>

#include "server/server.h"

/* The allocation of a scenario text; NULL when refused (rp holds the
 * error). Free with p304_result_free. */
p304_result *do_allocate(struct srv_api *api, const char *text, size_t len, struct srv_reply *rp);
/* {"reference": A, "scenario": B}; NULL when refused. */
p304_comparison *do_compare(struct srv_api *api, const struct srv_request *rq,
			    struct srv_reply *rp);
/* multipart scenario + needs (+ caps); NULL when refused. */
p304_notification *do_reconcile(struct srv_api *api, const struct srv_request *rq,
				struct srv_reply *rp);
/* [start, end) of the value of "key" in the JSON object text; 0 when found. */
int member_span(const char *t, size_t len, const char *key, size_t *start, size_t *end);
/* An error reply from a workflow error without a request document. */
void api_reply_p304_error(struct srv_reply *rp, const p304_error *err);
/* inputs/reference/tuiles.csv of the loaded data (contours.csv beside it). */
const char *api_tiles(const struct srv_api *api);

/* The text of the shipped or saved scenario `id` (malloc'd into *text);
 * 0 when there is none. */
int api_scenario_text(struct srv_api *api, const char *id, char **text, size_t *len);
/* A scenario sent under a known id with other parameters than that file is
 * a new scenario: *id (and *title, when it is that file's) are replaced
 * (api_modified.c). 1 when renamed, 0 when not, -1 out of memory. */
int api_rename_modified(struct srv_api *api, const char *text, size_t len, char **id, char **title,
			int64_t envelope, size_t participants);

/* POST /api/note (api_note.c) is declared with the other handlers in routes.h. */

#endif
