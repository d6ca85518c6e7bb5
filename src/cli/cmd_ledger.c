/*
 * cmd_ledger.c - `p304 ledger ACTION --ledger FILE ...`: the campaign's
 * memory (issue 22). record a result set, import delegated or consumed
 * amounts, show the history, the départements × years view (or an écart
 * between two stages), the caps of the 2024 rule, back up, export. Also the
 * helpers `reconcile --ledger` and `avenant --ledger` call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#include <p304/chart.h>
#include <p304/ledger.h>
#include <p304/workflow.h>

static const struct cli_usage usage = {
	"ledger", N_("ACTION --ledger FILE"),
	N_("The campaign's memory: one SQLite file holding, per collectivité, year and\n"
	"stage (prenotified, need, notified, delegated, consumed, avenant), every\n"
	"amount with where it came from, when and who. Append-only: a correction\n"
	"supersedes the current amount, the history keeps both.\n"
	"\n"
	"actions:\n"
	"  record DIR      record a result set of p304 (allocate: pre-notified;\n"
	"                  reconcile: needs and notified; avenant: next year's\n"
	"                  amounts) for --year N; its manifest is checked first\n"
	"  import F.csv    import delegated or consumed amounts (--stage, --year):\n"
	"                  code;delegue_eur or code;consomme_eur, as the needs file\n"
	"  history         every entry (--code C, --year N to narrow)\n"
	"  view            départements × years of --stage S (--minus S2: the écart\n"
	"                  S − S2), --from Y --to Y; -o DIR writes vue.csv and vue.xlsx\n"
	"                  (--chart: and evolution.png, gnuplot; --code 59,62: whom)\n"
	"  caps            the caps of --year N by the 2024 rule\n"
	"  backup F        a consistent copy (SQLite online backup); F must not exist\n"
	"  export F.xlsx   the whole history as a workbook; F must not exist\n"),
	N_("Exit codes: 0 ok, 2 usage, 3 input error (also a damaged or foreign\n"
	"ledger, left untouched), 5 file error.\n")
};

struct opts {
	const char *ledger, *year, *stage, *minus, *from, *to, *code, *comment, *outdir;
	int quiet, chart;
};

/* A year between 1900 and 2999, or -1. */
static int parse_year(const char *s)
{
	char *end;
	long y;

	if (!s)
		return -1;
	errno = 0;
	y = strtol(s, &end, 10);
	return errno || *end || end == s || y < 1900 || y > 2999 ? -1 : (int)y;
}

int cli_ledger_year(const char *cmd, const char *text, int *year)
{
	if (!text)
		return cli_usage_error(cmd, _("missing --year N"));
	if ((*year = parse_year(text)) < 0)
		return cli_usage_error(cmd, _("--year takes a year such as 2025, not '%s'"), text);
	return -1;
}

static void print_outcome(const char *what, const p304_ledger_outcome *o, const char *path)
{
	if (o->already) {
		printf(_("%s: already recorded on %s by %s; nothing written\n"), what,
		       o->already_at, cli_text(o->already_who));
		return;
	}
	if (o->batch == 0) {
		printf(_("%s: every amount is already in the ledger; nothing written\n"), what);
		return;
	}
	if (o->again)
		printf(_("%s: first recorded on %s by %s; its amounts, corrected since, are "
			 "current again\n"), what, o->already_at, cli_text(o->already_who));
	printf(_("%s recorded in %s (batch %ld): new %zu, corrected %zu, unchanged %zu\n"),
	       what, path, o->batch, o->added, o->superseded, o->unchanged);
}

int cli_ledger_record(const char *ledger, int year, const char *dir, const char *comment,
		      int quiet)
{
	p304_ledger *lg;
	p304_ledger_outcome o;
	p304_error err;
	p304_code rc;

	p304_error_clear(&err);
	if (p304_ledger_open(ledger, 1, &lg, &err) != P304_OK)
		return cli_fail(&err);
	rc = p304_ledger_record_set(lg, dir, year, comment, &o, &err);
	p304_ledger_close(lg);
	if (rc != P304_OK)
		return cli_fail(&err);
	if (!quiet)
		print_outcome(dir, &o, ledger);
	return EXIT_OK;
}

static int load_reference(p304_reference **ref)
{
	p304_error err;

	p304_error_clear(&err);
	if (p304_reference_load(cli_default_reference(), ref, &err) != P304_OK)
		return cli_fail(&err);
	return -1;
}

static int do_import(const struct opts *op, const char *file, int year)
{
	p304_reference *ref = NULL;
	p304_ledger *lg;
	p304_ledger_outcome o;
	p304_error err;
	p304_code rc;
	int stage, code;

	if (!op->stage)
		return cli_usage_error("ledger", _("import needs --stage delegated or consumed"));
	stage = p304_stage_parse(op->stage);
	if (stage != P304_STAGE_DELEGATED && stage != P304_STAGE_CONSUMED)
		return cli_usage_error("ledger", _("import takes --stage delegated or consumed, "
				       "not '%s'"), op->stage);
	if ((code = load_reference(&ref)) >= 0)
		return code;
	p304_error_clear(&err);
	if (p304_ledger_open(op->ledger, 1, &lg, &err) != P304_OK) {
		p304_reference_free(ref);
		return cli_fail(&err);
	}
	rc = p304_ledger_import_csv(lg, ref, file, (p304_stage)stage, year, op->comment, &o, &err);
	p304_ledger_close(lg);
	p304_reference_free(ref);
	if (rc != P304_OK)
		return cli_fail(&err);
	if (o.total_note[0])
		fprintf(stderr, _("p304: warning: %s\n"), cli_text(o.total_note));
	if (!op->quiet)
		print_outcome(file, &o, op->ledger);
	return EXIT_OK;
}

struct hist {
	const p304_reference *ref;
};

/* `s` padded to `width` characters (not bytes: « délégué » is 7 wide,
 * 9 bytes), in one of 4 rotating buffers. */
static const char *padded(const char *s, size_t width)
{
	static char ring[4][160];
	static unsigned slot;
	char *b = ring[slot++ % 4];
	size_t chars = 0, o;

	snprintf(b, sizeof(ring[0]) - 32, "%s", s);
	for (const char *p = b; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	for (o = strlen(b); chars < width && o + 1 < sizeof(ring[0]); chars++)
		b[o++] = ' ';
	b[o] = '\0';
	return b;
}

static int print_entry(void *ctx, const p304_ledger_entry *e)
{
	const struct hist *h = ctx;
	const p304_authority *a = p304_reference_find(h->ref, e->code);
	char eur[48], corr[48] = "";

	if (e->supersedes)
		snprintf(corr, sizeof(corr), _(" (corrects n° %ld)"), e->supersedes);
	printf("%-6ld %-4s %s %d %s %15s  %s %s  %s:%ld%s%s%s\n", e->id, e->code,
	       padded(a ? a->name : "", 24), e->year, padded(p304_stage_label_fr(e->stage), 15),
	       cli_eur(eur, sizeof(eur), e->amount_eur), e->at, cli_text(e->who),
	       cli_text(e->file), e->line, corr, e->comment[0] ? " — " : "", cli_text(e->comment));
	return 0;
}

static int open_existing(const char *path, p304_ledger **lg)
{
	p304_error err;

	p304_error_clear(&err);
	if (p304_ledger_open(path, 0, lg, &err) != P304_OK)
		return cli_fail(&err);
	return -1;
}

static int do_history(const struct opts *op)
{
	p304_reference *ref = NULL;
	p304_ledger *lg;
	p304_error err;
	struct hist h;
	int code, year = 0;
	p304_code rc;

	if (op->year && (code = cli_ledger_year("ledger", op->year, &year)) >= 0)
		return code;
	if ((code = load_reference(&ref)) >= 0)
		return code;
	if ((code = open_existing(op->ledger, &lg)) >= 0) {
		p304_reference_free(ref);
		return code;
	}
	h.ref = ref;
	p304_error_clear(&err);
	{
		const p304_authority *a = op->code ? p304_reference_find(ref, op->code) : NULL;

		rc = p304_ledger_history(lg, op->code ? (a ? a->code : op->code) : NULL, year,
					 print_entry, &h, &err);
	}
	p304_ledger_close(lg);
	p304_reference_free(ref);
	return rc == P304_OK ? EXIT_OK : cli_fail(&err);
}

int cli_ledger_caps(const char *ledger, int year, p304_ledger_cap **caps, size_t *n)
{
	p304_ledger *lg;
	p304_error err;
	p304_code rc;
	int code;

	if ((code = open_existing(ledger, &lg)) >= 0)
		return code;
	p304_error_clear(&err);
	rc = p304_ledger_caps(lg, year, caps, n, &err);
	p304_ledger_close(lg);
	return rc == P304_OK ? -1 : cli_fail(&err);
}

/* Each cap with the year it came from (instruction 2024/72). */
void cli_print_caps(const p304_ledger_cap *caps, size_t n, int year)
{
	p304_reference *ref = NULL;
	p304_error err;

	p304_error_clear(&err);
	p304_reference_load(cli_default_reference(), &ref, &err);
	printf(_("Caps of %d (2024 rule: delegated in %d, else in %d)\n"), year, year - 1,
	       year - 2);
	for (size_t i = 0; i < n; i++) {
		const p304_authority *a = ref ? p304_reference_find(ref, caps[i].code) : NULL;
		char eur[48];

		if (caps[i].from_year)
			printf(_("  %-4s %s %15s  delegated in %d\n"), caps[i].code,
			       padded(a ? a->name : "", 28),
			       cli_eur(eur, sizeof(eur), caps[i].cap_eur), caps[i].from_year);
		else
			printf(_("  %-4s %s %15s  not funded in %d nor %d: no cap\n"), caps[i].code,
			       padded(a ? a->name : "", 28), "", year - 1, year - 2);
	}
	p304_reference_free(ref);
}

static int do_caps(const struct opts *op, int year)
{
	p304_ledger_cap *caps = NULL;
	size_t n = 0;
	int code = cli_ledger_caps(op->ledger, year, &caps, &n);

	if (code >= 0)
		return code;
	if (!op->quiet)
		cli_print_caps(caps, n, year);
	free(caps);
	return EXIT_OK;
}

struct view_ctx {
	const p304_ledger_view *v;
	const p304_reference *ref;
	const char *const *argv;
	const p304_input_file *in;
	const char *codes[12];
	size_t ncodes;
};

static p304_code view_png(const void *c, FILE *fp, p304_error *err)
{
	const struct view_ctx *x = c;

	return p304_chart_ledger_evolution(x->v, x->ref, x->codes, x->ncodes, fp, err);
}

/* --code 59,62,2a: the collectivités of the chart, canonical codes. */
static void chart_codes(struct view_ctx *x, const char *list)
{
	static char buf[12][16];

	for (const char *p = list; p && *p && x->ncodes < 12;) {
		size_t len = strcspn(p, ",");
		char one[16];
		const p304_authority *a;

		snprintf(one, sizeof(one), "%.*s", (int)(len < 15 ? len : 15), p);
		a = p304_reference_find(x->ref, one);
		snprintf(buf[x->ncodes], sizeof(buf[0]), "%s", a ? a->code : one);
		x->codes[x->ncodes] = buf[x->ncodes];
		x->ncodes++;
		p += len + (p[len] == ',');
	}
}

static p304_code view_csv(const void *c, FILE *fp, p304_error *err)
{
	const struct view_ctx *x = c;

	return p304_write_ledger_view_csv(x->v, x->ref, fp, err);
}

static p304_code view_xlsx(const void *c, FILE *fp, p304_error *err)
{
	const struct view_ctx *x = c;

	return p304_write_ledger_view_xlsx(x->v, x->ref, fp, err);
}

static p304_code view_manifest(const void *c, FILE *fp, p304_error *err)
{
	const struct view_ctx *x = c;

	return p304_write_inputs_manifest(x->in, 1, x->argv, cli_set_files(), fp, err);
}

static int view_stages(const struct opts *op, int *a, int *b)
{
	if (!op->stage)
		return cli_usage_error("ledger", _("view needs --stage S"));
	*a = p304_stage_parse(op->stage);
	*b = op->minus ? p304_stage_parse(op->minus) : *a;
	if (*a < 0 || *b < 0)
		return cli_usage_error("ledger", _("--stage takes prenotified, need, notified, "
				       "delegated, consumed or avenant, not '%s'"),
				       *a < 0 ? op->stage : op->minus);
	return -1;
}

static int write_view(const struct opts *op, const p304_ledger_view *v, const p304_reference *ref,
		      int argc, char **argv)
{
	p304_input_file in = { "ledger", (char *)op->ledger, "" };
	const char **margv = cli_argv_with_output(argc, argv, op->outdir);
	struct view_ctx x = { v, ref, margv, &in, { NULL }, 0 };
	struct cli_file files[] = {
		{ "vue.csv", view_csv, &x },
		{ "vue.xlsx", view_xlsx, &x },
		{ "manifest.json", view_manifest, &x },
		{ "evolution.png", view_png, &x },
	};
	p304_error err;
	int code = EXIT_OK;

	p304_error_clear(&err);
	if (!margv)
		return EXIT_INTERNAL;
	chart_codes(&x, op->code);
	if (p304_sha256_file(op->ledger, in.sha256, &err) != P304_OK ||
	    cli_write_files(&in, 1, op->outdir, files, op->chart ? 4 : 3, &err) != P304_OK)
		code = cli_fail(&err);
	else if (!op->quiet)
		printf(_("  written in           %s/ (vue.csv, vue.xlsx, manifest.json%s)\n"), op->outdir,
		       op->chart ? ", evolution.png" : "");
	free(margv);
	return code;
}

static int do_view(const struct opts *op, int argc, char **argv)
{
	p304_reference *ref = NULL;
	p304_ledger_view *v = NULL;
	p304_ledger *lg;
	p304_error err;
	int a = 0, b = 0, code, y0 = 2020, y1 = 2030;

	if ((code = view_stages(op, &a, &b)) >= 0)
		return code;
	if ((op->from && (y0 = parse_year(op->from)) < 0) || (op->to && (y1 = parse_year(op->to)) < 0)
	    || y1 < y0 || y1 - y0 >= 60)
		return cli_usage_error("ledger", _("--from and --to take years such as 2020 and "
				       "2029, at most 60 years apart"));
	if ((code = load_reference(&ref)) >= 0)
		return code;
	if ((code = open_existing(op->ledger, &lg)) >= 0)
		goto out;
	p304_error_clear(&err);
	if (p304_ledger_view_make(lg, (p304_stage)a, (p304_stage)b, y0, y1, &v, &err) != P304_OK) {
		p304_ledger_close(lg);
		code = cli_fail(&err);
		goto out;
	}
	p304_ledger_close(lg);
	if (op->chart && !op->outdir)
		code = cli_usage_error("ledger", _("--chart needs -o DIR"));
	else if (op->outdir)
		code = write_view(op, v, ref, argc, argv);
	else if (p304_write_ledger_view_csv(v, ref, stdout, &err) != P304_OK)
		code = cli_fail(&err);
	else
		code = EXIT_OK;
out:
	p304_ledger_view_free(v);
	p304_reference_free(ref);
	return code;
}

static int do_backup(const struct opts *op, const char *dest)
{
	p304_ledger *lg;
	p304_error err;
	p304_code rc;
	int code;

	if ((code = open_existing(op->ledger, &lg)) >= 0)
		return code;
	p304_error_clear(&err);
	rc = p304_ledger_backup(lg, dest, &err);
	p304_ledger_close(lg);
	if (rc != P304_OK)
		return cli_fail(&err);
	if (!op->quiet)
		printf(_("Backup of %s written in %s\n"), op->ledger, dest);
	return EXIT_OK;
}

/* The workbook written beside dest, then linked in place: never a file
 * replaced, never half a workbook. */
static int do_export(const struct opts *op, const char *dest)
{
	p304_reference *ref = NULL;
	p304_ledger *lg = NULL;
	p304_error err;
	char *tmp = NULL;
	FILE *fp = NULL;
	int code, fd = -1;

	p304_error_clear(&err);
	if (access(dest, F_OK) == 0) {
		p304_error_set(&err, P304_ERR_IO, dest, 0,
			       _("already exists: an export never replaces a file"));
		return cli_fail(&err);
	}
	if ((code = load_reference(&ref)) >= 0)
		return code;
	if ((code = open_existing(op->ledger, &lg)) >= 0)
		goto out;
	code = EXIT_INTERNAL;
	if (asprintf(&tmp, "%s.XXXXXX", dest) < 0) {
		tmp = NULL;
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0 || !(fp = fdopen(fd, "wb"))) {
		p304_error_set(&err, P304_ERR_IO, dest, 0, _("cannot write: %s"), strerror(errno));
		if (fd >= 0)
			close(fd);
		code = cli_fail(&err);
		goto out;
	}
	if (p304_write_ledger_history_xlsx(lg, ref, fp, &err) != P304_OK) {
		fclose(fp);
		unlink(tmp);
		code = cli_fail(&err);
		goto out;
	}
	if (fflush(fp) != 0 || fsync(fd) != 0 || fclose(fp) != 0 || link(tmp, dest) != 0) {
		p304_error_set(&err, P304_ERR_IO, dest, 0, _("cannot write: %s"), strerror(errno));
		unlink(tmp);
		code = cli_fail(&err);
		goto out;
	}
	unlink(tmp);
	if (!op->quiet)
		printf(_("History of %s written in %s\n"), op->ledger, dest);
	code = EXIT_OK;
out:
	free(tmp);
	p304_ledger_close(lg);
	p304_reference_free(ref);
	return code;
}

int cmd_ledger(int argc, char **argv)
{
	struct opts op = { 0 };
	const char *ops[2] = { NULL, NULL };
	const struct cli_option table[] = {
		{ "--ledger", _("a file"), &op.ledger, NULL, N_("FILE"),
		  N_("the ledger (created by record and import)") },
		{ "--year", _("a year"), &op.year, NULL, N_("N"), N_("the campaign year") },
		{ "--stage", _("a stage"), &op.stage, NULL, N_("S"),
		  N_("prenotified, need, notified, delegated, consumed, avenant") },
		{ "--minus", _("a stage"), &op.minus, NULL, N_("S2"), N_("view: the écart S − S2") },
		{ "--from", _("a year"), &op.from, NULL, N_("Y"), N_("view: the first year") },
		{ "--to", _("a year"), &op.to, NULL, N_("Y"), N_("view: the last year") },
		{ "--code", _("a code"), &op.code, NULL, N_("C"),
		  N_("history, view: only these authorities (59,62)") },
		{ "--comment", _("a text"), &op.comment, NULL, N_("TEXT"),
		  N_("kept with the entries recorded") },
		{ "--chart", NULL, NULL, &op.chart, NULL, N_("view: also evolution.png (gnuplot; needs -o)") },
		{ "-o|--output", _("a directory"), &op.outdir, NULL, N_("DIR"), N_("output folder of view") },
		{ "-q|--quiet", NULL, NULL, &op.quiet, NULL, N_("print nothing on stdout") },
		CLI_OPT_END
	};
	size_t nop;
	int rc = cli_parse_options(&usage, argc, argv, table, ops, 2,
				   _("an action and at most one file"), &nop);
	const char *act = ops[0], *file = ops[1];
	int year = 0, with_file;

	if (rc >= 0)
		return rc;
	if (!act)
		return cli_usage_error("ledger", _("missing ACTION (record, import, history, view, "
				       "caps, backup, export)"));
	with_file = !strcmp(act, "record") || !strcmp(act, "import") || !strcmp(act, "backup") ||
		    !strcmp(act, "export");
	if (!with_file && strcmp(act, "history") && strcmp(act, "view") && strcmp(act, "caps"))
		return cli_usage_error("ledger", _("'%s' is not an action of p304 ledger"), act);
	if (with_file != (file != NULL))
		return cli_usage_error("ledger", with_file ? _("%s needs a file") :
				       _("%s takes no file"), act);
	if (!op.ledger)
		return cli_usage_error("ledger", _("missing --ledger FILE"));
	if ((!strcmp(act, "record") || !strcmp(act, "import") || !strcmp(act, "caps")) &&
	    (rc = cli_ledger_year("ledger", op.year, &year)) >= 0)
		return rc;
	if (!strcmp(act, "record"))
		return cli_ledger_record(op.ledger, year, file, op.comment, op.quiet);
	if (!strcmp(act, "import"))
		return do_import(&op, file, year);
	if (!strcmp(act, "history"))
		return do_history(&op);
	if (!strcmp(act, "view"))
		return do_view(&op, argc, argv);
	if (!strcmp(act, "caps"))
		return do_caps(&op, year);
	if (!strcmp(act, "backup"))
		return do_backup(&op, file);
	return do_export(&op, file);
}

/* Every participant's cap with the year it came from, or why it has none
 * (instruction 2024/72). */
static void print_participant_caps(const p304_notification *nt, const p304_ledger_cap *caps,
				   size_t n, int year)
{
	const p304_result *res = nt->alloc;

	printf(_("Caps of %d (2024 rule: delegated in %d, else in %d)\n"), year, year - 1,
	       year - 2);
	for (size_t i = 0; i < res->nrows; i++) {
		const p304_ledger_cap *c = NULL;
		char eur[48];

		for (size_t k = 0; k < n && !c; k++)
			if (strcmp(caps[k].code, res->rows[i].code) == 0 && caps[k].from_year)
				c = &caps[k];
		if (c)
			printf(_("  %-4s %s %15s  delegated in %d\n"), c->code,
			       padded(res->rows[i].name, 28),
			       cli_eur(eur, sizeof(eur), c->cap_eur), c->from_year);
		else
			printf(_("  %-4s %s %15s  not funded in %d nor %d: no cap\n"),
			       res->rows[i].code, padded(res->rows[i].name, 28), "", year - 1, year - 2);
	}
}

p304_code cli_ledger_reconcile(const char *scenario, const char *needs, const char *ledger,
			       int year, int quiet, p304_notification **nt, int *exit_code)
{
	p304_ledger_cap *caps = NULL;
	const char **codes = NULL;
	int64_t *amounts = NULL;
	size_t n = 0;
	p304_error err;
	p304_code rc = P304_ERR_NOMEM;

	*nt = NULL;
	p304_error_clear(&err);
	if ((*exit_code = cli_ledger_caps(ledger, year, &caps, &n)) >= 0)
		return P304_ERR_INPUT;
	codes = calloc(n ? n : 1, sizeof(*codes));
	amounts = calloc(n ? n : 1, sizeof(*amounts));
	if (codes && amounts) {
		for (size_t i = 0; i < n; i++) {
			codes[i] = caps[i].code;
			amounts[i] = caps[i].cap_eur;
		}
		rc = p304_run_reconcile_given_caps(scenario, cli_default_reference(), needs, codes,
						   amounts, n, ledger, nt, &err);
	}
	if (rc == P304_OK && !quiet)
		print_participant_caps(*nt, caps, n, year);
	*exit_code = rc == P304_OK ? -1 : rc == P304_ERR_NOMEM && !err.message[0] ? EXIT_INTERNAL
									   : cli_fail(&err);
	free(codes);
	free(amounts);
	free(caps);
	return rc;
}

int cli_ledger_avenant(const char *ledger, int year, p304_avenant_rule rule, int rate_bp,
		       p304_avenant_result **av)
{
	p304_reference *ref = NULL;
	p304_ledger *lg;
	p304_error err;
	p304_code rc;
	int code;

	*av = NULL;
	if ((code = load_reference(&ref)) >= 0)
		return code;
	if ((code = open_existing(ledger, &lg)) >= 0) {
		p304_reference_free(ref);
		return code;
	}
	p304_error_clear(&err);
	rc = p304_ledger_avenant(lg, ref, year, rule, rate_bp, av, &err);
	p304_ledger_close(lg);
	p304_reference_free(ref);
	if (rc == P304_OK && (*av)->ninputs)
		/* the SHA-256 of the ledger once closed (its WAL merged) */
		rc = p304_sha256_file(ledger, (*av)->inputs[0].sha256, &err);
	return rc == P304_OK ? -1 : cli_fail(&err);
}

int cli_ledger_digest(const char *ledger, int year0, int year1, p304_ledger_digest **d,
		      p304_input_file *input)
{
	p304_ledger *lg;
	p304_error err;
	p304_code rc;
	int code;

	*d = NULL;
	if ((code = open_existing(ledger, &lg)) >= 0)
		return code;
	p304_error_clear(&err);
	rc = p304_ledger_digest_make(lg, year0, year1, d, &err);
	p304_ledger_close(lg);
	/* the SHA-256 of the ledger once closed (its WAL merged), as
	 * cli_ledger_avenant records it */
	if (rc == P304_OK) {
		input->role = "ledger";
		input->path = (char *)ledger;
		rc = p304_sha256_file(ledger, input->sha256, &err);
	}
	if (rc != P304_OK) {
		p304_ledger_digest_free(*d);
		*d = NULL;
		return cli_fail(&err);
	}
	return -1;
}
