/*
 * api_note.c - POST /api/note?kind=allocate|compare|reconcile&format=docx|odt|html|md:
 * the minister's note of what the page shows, made by the very function
 * `p304 note` uses (p304_note_make): the same two pages and annex, the
 * charts as images in .docx and .odt (issue 21: the note officers finish
 * in Word). The body is the one /api/export takes for the same kind.
 * With the server's campaign ledger holding delegated or consumed amounts
 * of year N − 1 or N − 2, the note cites them as `p304 note --ledger` does
 * (issue 22); `year` = N, default the scenario's campaign year.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p304/chart.h>
#include <p304/ledger.h>

#include "gettext.h"
#include "server/api_priv.h"

static const struct note_format {
	const char *name, *file, *type;
	unsigned what;
} formats[] = {
	{ "docx", "note.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	  P304_NOTE_DOCX },
	{ "odt", "note.odt", "application/vnd.oasis.opendocument.text", P304_NOTE_ODT },
	{ "html", "note.html", "text/html; charset=utf-8", P304_NOTE_HTML },
	{ "md", "note.md", "text/markdown; charset=utf-8", P304_NOTE_MD },
};

static long today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return (long)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* The note's parts from the request: an allocation, with a comparison or
 * a notification when the kind says so. 0 when refused (rp holds why). */
static int note_inputs(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp,
		       const char *kind, p304_result **res, p304_comparison **cmp,
		       p304_notification **nt)
{
	size_t s, e;

	if (!strcmp(kind, "allocate"))
		return (*res = do_allocate(api, rq->body, rq->len, rp)) != NULL;
	if (!strcmp(kind, "compare")) {
		if (!(*cmp = do_compare(api, rq, rp)))
			return 0;
		member_span(rq->body, rq->len, "scenario", &s, &e);
		return (*res = do_allocate(api, rq->body + s, e - s, rp)) != NULL;
	}
	if (!strcmp(kind, "reconcile"))
		return (*nt = do_reconcile(api, rq, rp)) != NULL;
	api_error(rp, 400, "bad_request", _("kind must be allocate, compare or reconcile"), NULL, 0,
		  "kind");
	return 0;
}

/* Hands the file over to the reply (the bytes change owner). */
static void reply_file(struct srv_reply *rp, p304_note_files *nf, const struct note_format *f,
		       const char *id, const char *kind)
{
	/* two different notes never get one file name (issue 21) */
	const char *what = !strcmp(kind, "compare") ? "-comparaison"
			 : !strcmp(kind, "reconcile") ? "-notification" : "";

	for (size_t i = 0; i < nf->n; i++) {
		if (strcmp(nf->file[i].name, f->file))
			continue;
		rp->status = 200;
		rp->body = nf->file[i].data;
		rp->len = nf->file[i].len;
		rp->type = f->type;
		nf->file[i].data = NULL;
		if (asprintf(&rp->filename, "%s-note%s.%s", id, what, f->name) < 0)
			rp->filename = NULL;
		return;
	}
	/* asked for .docx or .odt, and pandoc is not installed */
	api_error(rp, 503, "dependency", nf->no_office[0] ? nf->no_office
		  : _("the note could not be made"), NULL, 0, NULL);
}

/* `year` of the query: 0 when absent, -1 (and rp the 400) when not a year. */
static int query_year(const char *s, struct srv_reply *rp)
{
	char *end;
	long y;

	if (!s)
		return 0;
	y = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || y < 1900 || y > 2999) {
		api_error(rp, 400, "bad_request", _("year: expected a year such as 2025 (year=2025)"),
			  NULL, 0, "year");
		return -1;
	}
	return (int)y;
}

/* The campaign's history for the note of `year` (0: the scenario's, else
 * the note's date): 0 and *hist (NULL without a ledger), -1 refused. */
static int note_history(struct srv_api *api, const p304_result *res, int year, long date,
			p304_ledger_digest **hist, int *year_out, struct srv_reply *rp)
{
	if (!year && !(year = p304_campaign_year(res->scenario->id, res->scenario->title)))
		year = (int)(date / 10000);
	*year_out = year;
	return api_ledger_digest(api_ledger_of(api), year - 2, year - 1, hist, rp) < 0 ? -1 : 0;
}

void api_note(struct srv_api *api, const struct srv_request *rq, struct srv_reply *rp)
{
	/* the route's query keys, in its order (routes.c): format, kind, year */
	const char *fmt = rq->query[0] ? rq->query[0] : "docx";
	const char *kind = rq->query[1] ? rq->query[1] : "allocate";
	int year;
	p304_ledger_digest *hist = NULL;
	const struct note_format *f = NULL;
	p304_result *res = NULL;
	p304_comparison *cmp = NULL;
	p304_notification *nt = NULL;
	p304_note_files nf = { .n = 0 };
	p304_error err;

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(fmt, formats[i].name))
			f = &formats[i];
	if (!f) {
		api_error(rp, 400, "bad_request", _("format must be docx, odt, html or md"), NULL, 0,
			  "format");
		return;
	}
	if ((year = query_year(rq->query[2], rp)) < 0)
		return;
	if (note_inputs(api, rq, rp, kind, &res, &cmp, &nt)) {
		p304_note_request nrq = { nt ? nt->alloc : res, cmp, nt, today(), api_tiles(api),
					  f->what, NULL, 0 };

		if (note_history(api, nrq.alloc, year, nrq.date, &hist, &nrq.hist_year, rp) < 0)
			goto out;
		nrq.hist = hist;
		if (p304_note_make(&nrq, &nf, &err) != P304_OK) {
			err.file[0] = '\0';   /* scratch names mean nothing to the officer */
			api_reply_p304_error(rp, &err);
		} else {
			reply_file(rp, &nf, f, nrq.alloc->scenario->id, kind);
		}
	}
out:
	p304_ledger_digest_free(hist);
	p304_note_files_free(&nf);
	p304_result_free(res);
	p304_comparison_free(cmp);
	p304_notification_free(nt);
}
