/*
 * avenant_run.c - `p304 avenant` from files: the current amounts (a result
 * JSON of p304 or a CSV), what each authority consumed, and the rule; then
 * the core's p304_avenant, and the avenant.json / avenant.csv writers.
 */
#include <p304/workflow.h>

#include "format/headers.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/fileutil.h"
#include "format/writeutil.h"
#include "gettext.h"
#include "workflow/result_read.h"

static int line_cmp(const void *a, const void *b)
{
	return strcmp(((const p304_avenant_line *)a)->auth->code,
		      ((const p304_avenant_line *)b)->auth->code);
}

static p304_code add_input(p304_catalogue *cat, p304_avenant_result *av, const char *role,
			   const char *path,
			   p304_error *err)
{
	void *p = realloc(av->inputs, (av->ninputs + 1) * sizeof(*av->inputs));
	p304_input_file *in;

	if (!p)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	av->inputs = p;
	in = &av->inputs[av->ninputs++];
	memset(in, 0, sizeof(*in));
	if (!(in->role = strdup(role)) || !(in->path = strdup(p304_catalogue_where(cat, path))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	return p304_catalogue_sha256(cat, path, in->sha256, err);
}

static p304_code add_line(p304_avenant_result *av, const p304_authority *a,
			  int64_t amount, const char *path, long line, p304_error *err)
{
	void *p;

	for (size_t i = 0; i < av->nlines; i++)
		if (av->lines[i].auth == a)
			return p304_error_set(err, P304_ERR_INPUT, path, line,
					      _("duplicate code '%s'"), a->code);
	p = realloc(av->lines, (av->nlines + 1) * sizeof(*av->lines));
	if (!p)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	av->lines = p;
	av->lines[av->nlines++] = (p304_avenant_line){ .auth = a, .current_eur = amount,
						       .consumed_eur = P304_NO_BOUND };
	return P304_OK;
}

/* A result file written by p304 (notification.json or repartition.json). */
static p304_code read_current_json(p304_catalogue *cat, p304_avenant_result *av,
				   const char *path, p304_error *err)
{
	char *text = NULL;
	size_t len;
	struct p304_result_rows r = { 0 };
	const cJSON *it;
	p304_code rc;

	if ((rc = p304_catalogue_text(cat, path, &text, &len, err)) != P304_OK)
		return rc;
	/* duplicates, totals, encoding: as compare reads it (issue 19) */
	if ((rc = p304_result_rows_read(path, text, len, av->reference, &r, err)) != P304_OK)
		goto out;
	it = cJSON_GetObjectItemCaseSensitive(r.root, "id");
	if (cJSON_IsString(it) && !(av->id = strdup(it->valuestring))) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < r.n; i++)
		if ((rc = add_line(av, r.auth[i], r.amount[i], path, 0, err)) != P304_OK)
			goto out;
	if (!av->id) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0, _("no \"id\" in the result"));
		goto out;
	}
	if (!p304_id_valid(av->id)) {
		/* the id names the avenant's folder, outputs/ID-avenant */
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("\"id\" '%s' must be letters, digits, '.', '_' or '-' (it names the output folder)"),
			av->id);
		goto out;
	}
	if (strlen(av->id) < 200) {
		/* the avenant of "x-notification" is "x-avenant" */
		char *id = malloc(strlen(av->id) + 16);

		if (!id) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto out;
		}
		sprintf(id, "%s-avenant", av->id);
		free(av->id);
		av->id = id;
	}
out:
	p304_result_rows_free(&r);
	free(text);
	return rc;
}

/* A two-column CSV: code and an amount column. `add` receives each row. */
static p304_code read_amounts_csv(p304_catalogue *cat, p304_avenant_result *av,
				  const char *path,
				  const char *amount_col, int consumed, p304_error *err)
{
	p304_csv *csv = NULL;
	long cc, ca;
	p304_code rc = P304_OK;

	if ((rc = p304_catalogue_csv(cat, path, &csv, err)) != P304_OK)
		return rc;
	/* « Code », « Montant consommé (€) » as well */
	{
		const char *const cols[] = { "code", amount_col, NULL };

		if ((cc = p304_csv_find_header(csv, "code", cols, err)) < 0 ||
		    (ca = p304_csv_find_header(csv, amount_col, cols, err)) < 0) {
			rc = err->code;
			goto out;
		}
	}
	for (size_t r = 0; r < p304_csv_nrows(csv); r++) {
		const char *code = p304_csv_cell(csv, r, (size_t)cc);
		const char *cell = p304_csv_cell(csv, r, (size_t)ca);
		long line = p304_csv_line(csv, r);
		const p304_authority *a = p304_reference_find(av->reference, code);
		char why[256];
		int64_t v;

		if (!a) {
			p304_reference_unknown_hint(av->reference, code, why, sizeof(why));
			rc = p304_error_set(err, P304_ERR_INPUT, path, line,
					    _("code '%s' is not in the reference list%s"), code, why);
			goto out;
		}
		if (p304_parse_number(cell, strlen(cell), 0, P304_MAX_EUR, P304_NUM_EUR, &v, why,
				      sizeof(why))) {
			/* a blank amount is a figure forgotten, not a zero */
			rc = p304_error_set(err, P304_ERR_INPUT, path, line,
				_("amount '%s' in column '%s' %s"), cell, amount_col,
				strcmp(why, _("is empty")) == 0 ? _("is empty, expected whole euros (0 if none)") : why);
			goto out;
		}
		if (!consumed) {
			if ((rc = add_line(av, a, v, path, line, err)) != P304_OK)
				goto out;
			continue;
		}
		{
			size_t i;

			for (i = 0; i < av->nlines; i++)
				if (av->lines[i].auth == a)
					break;
			if (i == av->nlines) {
				rc = p304_error_set(err, P304_ERR_INPUT, path, line,
					_("'%s' (%s) has no current amount"), a->code, a->name);
				goto out;
			}
			if (av->lines[i].consumed_eur != P304_NO_BOUND) {
				rc = p304_error_set(err, P304_ERR_INPUT, path, line,
						    _("duplicate code '%s'"), a->code);
				goto out;
			}
			av->lines[i].consumed_eur = v;
		}
	}
out:
	p304_csv_free(csv);
	return rc;
}

struct avenant_call {
	const char *current_path, *consumed_path, *reference_path;
	p304_avenant_rule rule;
	int rate_bp;
	p304_avenant_result **out;
};

static p304_code avenant_files(p304_catalogue *cat, const char *const *paths, void *ctx,
			       p304_error *err)
{
	const struct avenant_call *c = ctx;

	(void)paths; /* no scenario: the files are not looked for among the shipped data */
	return p304_run_avenant_in(cat, c->current_path, c->consumed_path, c->reference_path,
				   c->rule, c->rate_bp, c->out, err);
}

p304_code p304_run_avenant(const char *current_path, const char *consumed_path,
			   const char *reference_path, p304_avenant_rule rule,
			   int rate_bp, p304_avenant_result **out, p304_error *err)
{
	struct avenant_call c = { current_path, consumed_path, reference_path, rule, rate_bp, out };

	*out = NULL;
	return p304_run_on_files(NULL, 0, avenant_files, &c, err);
}

/* The rule applied to lines already read (av->lines, av->rule's rate):
 * each line's next amount and the totals. Shared by the avenant from files
 * and the avenant from the campaign ledger, so both follow one rule. */
p304_code p304_avenant_apply(p304_avenant_result *av, p304_avenant_rule rule, p304_error *err)
{
	int64_t *cur = malloc(av->nlines * sizeof(int64_t));
	int64_t *con = malloc(av->nlines * sizeof(int64_t));
	p304_avenant_row *rows = malloc(av->nlines * sizeof(*rows));
	p304_code rc = P304_OK;

	if (!cur || !con || !rows) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto done;
	}
	for (size_t i = 0; i < av->nlines; i++) {
		cur[i] = av->lines[i].current_eur;
		con[i] = av->lines[i].consumed_eur;
	}
	if ((rc = p304_avenant(av->nlines, cur, con, rule, av->rate_bp, rows, err)) != P304_OK)
		goto done;
	for (size_t i = 0; i < av->nlines; i++) {
		av->lines[i].row = rows[i];
		av->current_eur += cur[i];
		if (con[i] != P304_NO_BOUND)
			av->consumed_eur += con[i];
		av->reduction_eur += rows[i].reduction_eur;
		av->next_eur += rows[i].next_eur;
		av->n_reduced += rows[i].reason == P304_AV_REDUCED;
		av->n_no_report += rows[i].reason == P304_AV_NO_REPORT;
	}
done:
	free(cur);
	free(con);
	free(rows);
	return rc;
}

p304_code p304_run_avenant_in(p304_catalogue *cat, const char *current_path,
			      const char *consumed_path, const char *reference_path,
			      p304_avenant_rule rule, int rate_bp, p304_avenant_result **out,
			      p304_error *err)
{
	p304_avenant_result *av = calloc(1, sizeof(*av));
	size_t len = strlen(current_path);
	p304_code rc;

	*out = NULL;
	if (!av)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	av->rule = rule;
	av->rate_bp = rule == P304_AVENANT_STABLE ? 0 : rate_bp;
	if ((rc = p304_catalogue_reference(cat, reference_path, &av->reference, err)) != P304_OK)
		goto fail;
	if (len > 5 && strcasecmp(current_path + len - 5, ".json") == 0) {
		rc = read_current_json(cat, av, current_path, err);
	} else {
		const char *slash = strrchr(current_path, '/');
		const char *base = slash ? slash + 1 : current_path;

		rc = read_amounts_csv(cat, av, current_path, "montant_eur", 0, err);
		if (rc == P304_OK && !(av->id = malloc(strlen(base) + 16)))
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		if (rc == P304_OK) {
			size_t b = strcspn(base, ".");

			snprintf(av->id, strlen(base) + 16, "%.*s-avenant", (int)b, base);
		}
	}
	if (rc != P304_OK || (rc = add_input(cat, av, "current", current_path, err)) != P304_OK ||
	    (rc = read_amounts_csv(cat, av, consumed_path, "consomme_eur", 1, err)) != P304_OK ||
	    (rc = add_input(cat, av, "consumed", consumed_path, err)) != P304_OK ||
	    (rc = add_input(cat, av, "reference", reference_path, err)) != P304_OK)
		goto fail;
	if (av->nlines == 0) {
		rc = p304_error_set(err, P304_ERR_INPUT, current_path, 0, _("no current amount"));
		goto fail;
	}
	qsort(av->lines, av->nlines, sizeof(*av->lines), line_cmp);
	if ((rc = p304_avenant_apply(av, rule, err)) != P304_OK)
		goto fail;
	*out = av;
	return P304_OK;
fail:
	p304_avenant_result_free(av);
	return rc;
}

void p304_avenant_result_free(p304_avenant_result *av)
{
	if (!av)
		return;
	for (size_t i = 0; i < av->ninputs; i++) {
		free(av->inputs[i].role);
		free(av->inputs[i].path);
	}
	free(av->inputs);
	free(av->lines);
	free(av->id);
	p304_reference_free(av->reference);
	free(av);
}

static const char *const RULES[] = { "stable", "reduce_unconsumed" };

p304_code p304_write_avenant_json(const p304_avenant_result *av, FILE *fp, p304_error *err)
{
	cJSON *root = cJSON_CreateObject(), *rows;
	char rate[16];

	if (!root)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	snprintf(rate, sizeof(rate), "%d.%02d", av->rate_bp / 100, av->rate_bp % 100);
	cJSON_AddStringToObject(root, "id", av->id);
	cJSON_AddStringToObject(root, "rule", RULES[av->rule]);
	cJSON_AddItemToObject(root, "rate_pct", cJSON_CreateRaw(rate));
	cJSON_AddItemToObject(root, "current_eur", wu_eur_or_null(av->current_eur));
	cJSON_AddItemToObject(root, "consumed_eur", wu_eur_or_null(av->consumed_eur));
	cJSON_AddItemToObject(root, "reduction_eur", wu_eur_or_null(av->reduction_eur));
	cJSON_AddItemToObject(root, "next_eur", wu_eur_or_null(av->next_eur));
	rows = cJSON_AddArrayToObject(root, "rows");
	for (size_t i = 0; rows && i < av->nlines; i++) {
		const p304_avenant_line *l = &av->lines[i];
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(rows, o))
			break;
		cJSON_AddStringToObject(o, "code", l->auth->code);
		cJSON_AddStringToObject(o, "name", l->auth->name);
		cJSON_AddItemToObject(o, "current_eur", wu_eur_or_null(l->current_eur));
		cJSON_AddItemToObject(o, "consumed_eur", wu_eur_or_null(l->consumed_eur));
		cJSON_AddItemToObject(o, "unconsumed_eur", wu_eur_or_null(l->row.unconsumed_eur));
		cJSON_AddItemToObject(o, "reduction_eur", wu_eur_or_null(l->row.reduction_eur));
		cJSON_AddItemToObject(o, "next_eur", wu_eur_or_null(l->row.next_eur));
		cJSON_AddStringToObject(o, "reason", p304_avenant_reason_name(l->row.reason));
	}
	return wu_print_json(root, fp, err);
}

static const char *fmt(char *buf, size_t size, int64_t v)
{
	if (v == P304_NO_BOUND)
		return "";
	snprintf(buf, size, "%lld", (long long)v);
	return buf;
}

p304_code p304_write_avenant_csv(const p304_avenant_result *av, FILE *fp, p304_error *err)
{
	static const char *const header[] = {
		"code", "collectivité", "montant de l'année (€)", "consommé (€)",
		"non consommé (€)", "reprise (€)", "montant de l'avenant (€)", "motif"
	};
	static const char *const reason_fr[] = {
		"montant confirmé", "réduit (non-consommation)", "entièrement consommé",
		"consommation non déclarée"
	};
	char a[32], b[32], c[32], d[32], e[32], line[300];
	const char *f[8];
	int bad = fputs("\xEF\xBB\xBF", fp) < 0;

	bad |= wu_row(fp, header, 8);
	for (size_t i = 0; i < av->nlines; i++) {
		const p304_avenant_line *l = &av->lines[i];

		f[0] = l->auth->code;
		f[1] = l->auth->name;
		f[2] = fmt(a, sizeof(a), l->current_eur);
		f[3] = fmt(b, sizeof(b), l->consumed_eur);
		f[4] = fmt(c, sizeof(c), l->row.unconsumed_eur);
		f[5] = fmt(d, sizeof(d), l->row.reduction_eur);
		f[6] = fmt(e, sizeof(e), l->row.next_eur);
		f[7] = reason_fr[l->row.reason];
		bad |= wu_row(fp, f, 8);
	}
	f[0] = "TOTAL"; f[1] = "";
	f[2] = fmt(a, sizeof(a), av->current_eur);
	f[3] = fmt(b, sizeof(b), av->consumed_eur);
	f[4] = "";
	f[5] = fmt(d, sizeof(d), av->reduction_eur);
	f[6] = fmt(e, sizeof(e), av->next_eur);
	f[7] = "";
	bad |= wu_row(fp, f, 8);
	bad |= fputs("\r\n", fp) < 0;
	if (av->rule == P304_AVENANT_STABLE)
		snprintf(line, sizeof(line), "Règle : montant stable (aucune reprise)");
	else
		snprintf(line, sizeof(line), "Règle : reprise de %d,%02d %% du montant non consommé "
			 "(arrondi à l'euro inférieur)", av->rate_bp / 100, av->rate_bp % 100);
	f[0] = line;
	bad |= wu_row(fp, f, 1);
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
