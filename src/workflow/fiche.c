/*
 * fiche.c - the sheet of one département (p304 fiches): what a budget
 * officer reads to a département that calls to ask why it got its amount.
 * Its four indicators with their sources, its share of each, its formula
 * amount, floor or ceiling, the rounding, its rank, and its change against a
 * reference split by factor. In memory only: the CLI writes the pages, the
 * server can serve the same data.
 */
#include <p304/io.h>

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "../gettext.h"
#include "format/fileutil.h"

const p304_compare_row *p304_compare_find(const p304_comparison *cmp, const char *code)
{
	for (size_t i = 0; cmp && i < cmp->nrows; i++)
		if (!strcmp(cmp->rows[i].code, code))
			return &cmp->rows[i];
	return NULL;
}

/* A repartition.json: the scenario recorded in the manifest beside it. */
static p304_code scenario_of_result(const char *path, char **scenario, p304_error *err)
{
	const char *slash = strrchr(path, '/');
	char *manifest = NULL, *text = NULL;
	size_t len;
	cJSON *m = NULL, *in, *cwd;
	p304_code rc;

	*scenario = NULL;
	if (asprintf(&manifest, "%.*smanifest.json", slash ? (int)(slash - path + 1) : 0, path) < 0)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	if ((rc = p304_read_file(manifest, &text, &len, err)) != P304_OK) {
		p304_error_set(err, P304_ERR_INPUT, path, 0,
			       _("is a result file without its manifest.json (%s): give the scenario instead"),
			       manifest);
		free(manifest);
		return P304_ERR_INPUT;
	}
	m = cJSON_ParseWithOpts(text, NULL, 1);
	free(text);
	in = m ? cJSON_GetObjectItemCaseSensitive(m, "inputs") : NULL;
	cwd = m ? cJSON_GetObjectItemCaseSensitive(m, "cwd") : NULL;
	for (cJSON *it = in ? in->child : NULL; it; it = it->next) {
		cJSON *role = cJSON_GetObjectItemCaseSensitive(it, "role");
		cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");

		if (cJSON_IsString(role) && !strcmp(role->valuestring, "scenario") && cJSON_IsString(p)) {
			if (p->valuestring[0] == '/' || !cJSON_IsString(cwd))
				*scenario = strdup(p->valuestring);
			else if (asprintf(scenario, "%s/%s", cwd->valuestring, p->valuestring) < 0)
				*scenario = NULL;
			break;
		}
	}
	cJSON_Delete(m);
	if (!*scenario) {
		p304_error_set(err, P304_ERR_INPUT, manifest, 0,
			       _("names no scenario, expected the manifest of 'p304 allocate'"));
		free(manifest);
		return P304_ERR_INPUT;
	}
	free(manifest);
	return P304_OK;
}

/* The amounts of the result file must be those the scenario gives today. */
static p304_code same_amounts(const char *path, const p304_result *res, p304_error *err)
{
	char *text = NULL;
	size_t len, n = 0;
	cJSON *root, *rows;
	p304_code rc;

	if ((rc = p304_read_file(path, &text, &len, err)) != P304_OK)
		return rc;
	root = cJSON_ParseWithOpts(text, NULL, 1);
	free(text);
	rows = root ? cJSON_GetObjectItemCaseSensitive(root, "rows") : NULL;
	for (cJSON *r = rows ? rows->child : NULL; r; r = r->next, n++) {
		cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "code");
		cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "amount_eur");

		if (n >= res->nrows || !cJSON_IsString(c) || !cJSON_IsNumber(a) ||
		    strcmp(c->valuestring, res->rows[n].code) ||
		    a->valuedouble != (double)res->rows[n].alloc.amount_eur)
			break;
	}
	if (!rows || n != res->nrows || cJSON_GetArraySize(rows) != (int)n) {
		cJSON_Delete(root);
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
				      _("differs from what its scenario %s gives today (an input changed): "
					"run 'p304 verify' on its folder, or give the scenario"),
				      res->scenario->path);
	}
	cJSON_Delete(root);
	return P304_OK;
}

static int is_result_file(const char *path)
{
	char *text = NULL;
	size_t len;
	cJSON *root;
	int yes;

	if (p304_read_file(path, &text, &len, NULL) != P304_OK)
		return 0;
	root = cJSON_ParseWithOpts(text, NULL, 1);
	free(text);
	yes = root && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "rows")) &&
	      !cJSON_GetObjectItemCaseSensitive(root, "data");
	cJSON_Delete(root);
	return yes;
}

p304_code p304_run_fiches(const char *path, const char *reference, const char *default_reference,
			  p304_fiches **out, p304_error *err)
{
	p304_fiches *fs = calloc(1, sizeof(*fs));
	char *scenario = NULL;
	const p304_scenario *sc;
	int64_t *totals = NULL;
	p304_code rc;

	*out = NULL;
	if (!fs)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	if (is_result_file(path)) {
		if ((rc = scenario_of_result(path, &scenario, err)) != P304_OK)
			goto fail;
	} else if (!(scenario = strdup(path))) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	if ((rc = p304_run_allocation(scenario, &(p304_alloc_options){ .default_reference = default_reference },
				       &fs->res, err)) != P304_OK ||
	    (strcmp(scenario, path) && (rc = same_amounts(path, fs->res, err)) != P304_OK) ||
	    (reference && (rc = p304_run_compare(reference, scenario, default_reference, &fs->cmp, err)) != P304_OK) ||
	    (rc = p304_sources_read(fs->res, &fs->src, err)) != P304_OK)
		goto fail;
	sc = fs->res->scenario;
	fs->n = fs->res->nrows;
	fs->f = calloc(fs->n ? fs->n : 1, sizeof(*fs->f));
	totals = calloc(sc->ncriteria ? sc->ncriteria : 1, sizeof(*totals));
	if (!fs->f || !totals) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < fs->n; i++)
		for (size_t k = 0; k < sc->ncriteria; k++)
			totals[k] += fs->res->rows[i].criteria[k];
	for (size_t i = 0; i < fs->n; i++) {
		const p304_result_row *r = &fs->res->rows[i];
		p304_fiche *f = &fs->f[i];

		f->row = r;
		if (!(f->ind = calloc(sc->ncriteria ? sc->ncriteria : 1, sizeof(*f->ind)))) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
			goto fail;
		}
		for (size_t k = 0; k < sc->ncriteria; k++) {
			p304_fiche_indicator *x = &f->ind[k];

			x->column = sc->criteria[k].column;
			x->label = fs->src[k].label;
			x->source = fs->src[k].words;
			x->weight_pct = sc->criteria[k].weight_pct;
			x->value = r->criteria[k];
			x->total = totals[k];
			x->share_pct = totals[k] ? (double)r->criteria[k] * 100.0 / (double)totals[k] : 0;
			x->imputed = r->imputed ? r->imputed[k] : 0;
			x->supplied = r->supplied ? r->supplied[k] : NULL;
		}
		f->share_pct = (double)(r->alloc.share * 100.0L);
		f->formula_eur = (double)r->alloc.formula_eur;
		f->exact_eur = (double)r->alloc.exact_eur;
		f->amount_eur = r->alloc.amount_eur;
		f->rounding_eur = (double)((long double)r->alloc.amount_eur - r->alloc.exact_eur);
		f->rank = 1;
		for (size_t j = 0; j < fs->n; j++)
			if (fs->res->rows[j].alloc.amount_eur > r->alloc.amount_eur ||
			    (fs->res->rows[j].alloc.amount_eur == r->alloc.amount_eur && j < i))
				f->rank++;
		f->change = p304_compare_find(fs->cmp, r->code);
	}
	free(totals);
	free(scenario);
	*out = fs;
	return P304_OK;
fail:
	free(totals);
	free(scenario);
	p304_fiches_free(fs);
	return rc;
}

void p304_fiches_free(p304_fiches *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; fs->f && i < fs->n; i++)
		free(fs->f[i].ind);
	free(fs->f);
	if (fs->res)
		p304_sources_free(fs->src, fs->res->scenario->ncriteria);
	p304_result_free(fs->res);
	p304_comparison_free(fs->cmp);
	free(fs);
}
