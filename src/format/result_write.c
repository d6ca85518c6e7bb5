/*
 * result_write.c - the files of `p304 allocate`: repartition.json (the
 * machine contract, cJSON), repartition.csv (Excel in a French locale, libcsv
 * quoting) and manifest.json (run metadata kept apart so results stay
 * byte-identical between runs).
 */
#include <p304/format.h>

#include <cjson/cJSON.h>
#include <csv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format/writeutil.h"
#include "gettext.h"

/* Criterion values are × 1000: print 1234500 as 1234.5, 1234000 as 1234. */
static void format_scaled(int64_t v, char *buf, size_t size, char dec)
{
	int64_t ip = v / P304_VALUE_SCALE, fp = v % P304_VALUE_SCALE;
	int len;

	if (fp == 0) {
		snprintf(buf, size, "%lld", (long long)ip);
		return;
	}
	len = snprintf(buf, size, "%lld%c%03lld", (long long)ip, dec, (long long)fp);
	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
}

/* Numbers are added as raw text formatted here: cJSON would print 10^15 as
 * 1e+15 and doubles with platform digits; we want fixed, exact forms. */
static int add_raw(cJSON *obj, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int add_raw(cJSON *obj, const char *key, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return cJSON_AddItemToObject(obj, key, cJSON_CreateRaw(buf)) ? 0 : -1;
}

static int add_eur_or_null(cJSON *obj, const char *key, int64_t v)
{
	if (v == P304_NO_BOUND)
		return cJSON_AddNullToObject(obj, key) ? 0 : -1;
	return add_raw(obj, key, "%lld", (long long)v);
}

static cJSON *result_to_json(const p304_result *res)
{
	const p304_scenario *sc = res->scenario;
	cJSON *root = cJSON_CreateObject(), *crit, *rows, *warn;
	int bad = !root;

	if (bad)
		return NULL;
	bad |= !cJSON_AddStringToObject(root, "id", sc->id);
	bad |= !cJSON_AddStringToObject(root, "title", sc->title);
	bad |= add_raw(root, "envelope_eur", "%lld", (long long)sc->envelope_eur);
	bad |= add_raw(root, "allocated_eur", "%lld", (long long)res->summary.allocated_eur);
	bad |= add_raw(root, "unallocated_eur", "%lld", (long long)res->summary.unallocated_eur);
	bad |= add_raw(root, "lambda", "%.6Lf", res->summary.lambda);
	bad |= add_raw(root, "participants", "%zu", res->nrows);
	bad |= add_eur_or_null(root, "floor_eur", sc->floor_eur);
	bad |= add_eur_or_null(root, "ceiling_eur", sc->ceiling_eur);
	bad |= add_raw(root, "rounding_eur", "%lld", (long long)sc->rounding_eur);
	bad |= add_raw(root, "n_floor", "%zu", res->summary.n_floor);
	bad |= add_raw(root, "n_ceiling", "%zu", res->summary.n_ceiling);
	crit = wu_criteria(sc, res->sources);
	bad |= !crit || !cJSON_AddItemToObject(root, "criteria", crit);
	warn = cJSON_AddArrayToObject(root, "warnings");
	bad |= !warn;
	for (size_t i = 0; warn && i < res->nwarnings; i++)
		bad |= !cJSON_AddItemToArray(warn, cJSON_CreateString(res->warnings[i]));
	/* authorities left out for missing data (only when there are some) */
	if (res->nexcluded) {
		cJSON *ex = cJSON_AddArrayToObject(root, "excluded");

		bad |= !ex;
		for (size_t i = 0; ex && i < res->nexcluded; i++) {
			cJSON *o = cJSON_CreateObject();

			bad |= !o || !cJSON_AddItemToArray(ex, o);
			if (!o)
				break;
			bad |= !cJSON_AddStringToObject(o, "code", res->excluded[i].code);
			bad |= !cJSON_AddStringToObject(o, "name", res->excluded[i].name);
			{
				/* the columns without a value, as a list */
				cJSON *miss = cJSON_AddArrayToObject(o, "missing");
				const char *c = res->excluded[i].columns;

				bad |= !miss;
				while (miss && *c) {
					size_t len = strcspn(c, ",");
					char col[256];

					snprintf(col, sizeof(col), "%.*s", (int)len, c);
					bad |= !cJSON_AddItemToArray(miss, cJSON_CreateString(col));
					c += len;
					c += strspn(c, ", ");
				}
			}
			bad |= add_raw(o, "line", "%ld", res->excluded[i].line);
		}
	}
	rows = cJSON_AddArrayToObject(root, "rows");
	bad |= !rows;
	for (size_t i = 0; rows && i < res->nrows && !bad; i++) {
		const p304_result_row *r = &res->rows[i];
		cJSON *o = cJSON_CreateObject(), *cv;

		bad |= !o || !cJSON_AddItemToArray(rows, o);
		if (!o)
			break;
		bad |= !cJSON_AddStringToObject(o, "code", r->code);
		bad |= !cJSON_AddStringToObject(o, "name", r->name);
		bad |= !cJSON_AddStringToObject(o, "region", r->region_code);
		bad |= !cJSON_AddStringToObject(o, "region_name", r->region_name);
		bad |= add_raw(o, "share", "%.12Lf", r->alloc.share);
		bad |= add_raw(o, "formula_eur", "%.2Lf", r->alloc.formula_eur);
		bad |= !cJSON_AddStringToObject(o, "status", p304_status_name(r->alloc.status));
		bad |= add_raw(o, "amount_eur", "%lld", (long long)r->alloc.amount_eur);
		{
			cJSON *imp = cJSON_AddArrayToObject(o, "imputed");

			bad |= !imp;
			for (size_t k = 0; imp && k < sc->ncriteria; k++)
				if (r->imputed && r->imputed[k])
					bad |= !cJSON_AddItemToArray(imp,
						cJSON_CreateString(sc->criteria[k].column));
		}
		/* issue 21: a figure from the complement table carries its
		 * source (only rows that have one: other results are unchanged) */
		if (r->supplied) {
			cJSON *sup = cJSON_AddObjectToObject(o, "supplied");

			bad |= !sup;
			for (size_t k = 0; sup && k < sc->ncriteria; k++)
				if (r->supplied[k])
					bad |= !cJSON_AddStringToObject(sup, sc->criteria[k].column,
									r->supplied[k]);
		}
		cv = cJSON_AddObjectToObject(o, "criteria");
		bad |= !cv;
		for (size_t k = 0; cv && k < sc->ncriteria; k++) {
			char num[48];

			format_scaled(r->criteria[k], num, sizeof(num), '.');
			bad |= !cJSON_AddItemToObject(cv, sc->criteria[k].column,
						      cJSON_CreateRaw(num));
		}
	}
	if (bad) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

p304_code p304_write_result_json(const p304_result *res, FILE *fp,
				 p304_error *err)
{
	return wu_print_json(result_to_json(res), fp, err);
}
/* 1234.56 with a decimal comma, from a long double, `dec` decimals. */
static void fr_fixed(long double v, int dec, char *buf, size_t size)
{
	char *dot;

	snprintf(buf, size, "%.*Lf", dec, v);
	if ((dot = strchr(buf, '.')) != NULL)
		*dot = ',';
}

static const char *status_fr(p304_status st)
{
	switch (st) {
	case P304_FLOOR: return "plancher";
	case P304_CEILING: return "plafond";
	case P304_FREE: break;
	}
	return "formule";
}

p304_code p304_write_result_csv(const p304_result *res, FILE *fp,
				p304_error *err)
{
	static const char *const header[] = {
		"code", "collectivité", "région", "part (%)", "montant formule (€)",
		"statut", "montant pré-notifié (€)"
	};
	const p304_scenario *sc = res->scenario;
	char share[48], formula[48], amount[48];
	int bad = 0;

	bad |= fputs("\xEF\xBB\xBF", fp) < 0;
	bad |= wu_row(fp, header, 7);
	for (size_t i = 0; i < res->nrows; i++) {
		const p304_result_row *r = &res->rows[i];
		const char *f[7];

		fr_fixed(r->alloc.share * 100.0L, 6, share, sizeof(share));
		fr_fixed(r->alloc.formula_eur, 2, formula, sizeof(formula));
		snprintf(amount, sizeof(amount), "%lld", (long long)r->alloc.amount_eur);
		f[0] = r->code; f[1] = r->name; f[2] = r->region_name; f[3] = share;
		f[4] = formula; f[5] = status_fr(r->alloc.status); f[6] = amount;
		bad |= wu_row(fp, f, 7);
	}
	{
		const char *f[7];
		char env[48];

		fr_fixed((long double)sc->envelope_eur, 2, formula, sizeof(formula));
		snprintf(amount, sizeof(amount), "%lld", (long long)res->summary.allocated_eur);
		f[0] = "TOTAL"; f[1] = ""; f[2] = ""; f[3] = "100,000000"; f[4] = formula;
		f[5] = ""; f[6] = amount;
		bad |= wu_row(fp, f, 7);
		if (res->summary.unallocated_eur > 0) {
			snprintf(env, sizeof(env), "%lld", (long long)res->summary.unallocated_eur);
			f[0] = "NON RÉPARTI"; f[3] = ""; f[4] = ""; f[6] = env;
			f[1] = "reste de l'arrondi";
			bad |= wu_row(fp, f, 7);
		}
	}
	/* Provenance travels with the figures (issue: sources in every output). */
	bad |= fputs("\r\n", fp) < 0;
	for (size_t i = 0; i < res->nexcluded; i++) {
		char line[600];
		const char *f[1];

		snprintf(line, sizeof(line), "Exclu : %s %s (aucune valeur dans %s)",
			 res->excluded[i].code, res->excluded[i].name, res->excluded[i].columns);
		f[0] = line;
		bad |= wu_row(fp, f, 1);
	}
	for (size_t k = 0; k < sc->ncriteria; k++) {
		char line[1200];
		const char *f[1];

		char w[32], *p;

		/* the weight with a decimal comma */
		snprintf(w, sizeof(w), "%g", sc->criteria[k].weight_pct);
		if ((p = strchr(w, '.')))
			*p = ',';
		snprintf(line, sizeof(line), "Source %s (%s %%) : %s",
			 sc->criteria[k].column, w,
			 res->sources && res->sources[k] ? res->sources[k]
							  : "non renseignée");
		f[0] = line;
		bad |= wu_row(fp, f, 1);
	}
	for (size_t i = 0; i < res->nrows; i++)
		for (size_t k = 0; res->rows[i].supplied && k < sc->ncriteria; k++) {
			char line[1200];
			const char *f[1] = { line };

			if (!res->rows[i].supplied[k])
				continue;
			snprintf(line, sizeof(line), "Table complémentaire %s %s, %s : %s",
				 res->rows[i].code, res->rows[i].name, sc->criteria[k].column,
				 res->rows[i].supplied[k]);
			bad |= wu_row(fp, f, 1);
		}
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}

/* tool, version, command (text and argument vector, with the working
 * directory: `p304 verify` reruns exactly this), time, and the inputs with
 * their SHA-256. */
static cJSON *manifest_base(const p304_input_file *in, size_t n,
			    const char *const *argv, const char *const *files)
{
	cJSON *root = cJSON_CreateObject(), *inputs, *args;
	char stamp[32], command[4096], cwd[4096];
	size_t len = 0;
	time_t now = time(NULL);
	struct tm tm;
	int bad = !root;

	if (bad)
		return NULL;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	bad |= !cJSON_AddStringToObject(root, "tool", "p304");
	bad |= !cJSON_AddStringToObject(root, "version", P304_VERSION);
	len = (size_t)snprintf(command, sizeof(command), "p304");
	for (size_t i = 0; argv[i] && len < sizeof(command); i++)
		len += (size_t)snprintf(command + len, sizeof(command) - len, " %s", argv[i]);
	bad |= !cJSON_AddStringToObject(root, "command", command);
	args = cJSON_AddArrayToObject(root, "argv");
	bad |= !args;
	for (size_t i = 0; args && argv[i]; i++)
		bad |= !cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	bad |= !cJSON_AddStringToObject(root, "cwd", getcwd(cwd, sizeof(cwd)) ? cwd : "");
	bad |= !cJSON_AddStringToObject(root, "generated_utc", stamp);
	if (files) {
		/* the set's own files: a later run replaces only these and
		 * `p304 verify` compares only these */
		cJSON *list = cJSON_AddArrayToObject(root, "files");

		bad |= !list;
		for (size_t i = 0; list && files[i]; i++)
			bad |= !cJSON_AddItemToArray(list, cJSON_CreateString(files[i]));
	}
	inputs = cJSON_AddArrayToObject(root, "inputs");
	bad |= !inputs;
	for (size_t i = 0; inputs && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		bad |= !o || !cJSON_AddItemToArray(inputs, o);
		if (!o)
			break;
		bad |= !cJSON_AddStringToObject(o, "role", in[i].role);
		bad |= !cJSON_AddStringToObject(o, "path", in[i].path);
		{
			/* the file open() read: symbolic links and ".." resolved */
			char *real = realpath(in[i].path, NULL);

			bad |= !cJSON_AddStringToObject(o, "resolved", real ? real : in[i].path);
			free(real);
		}
		bad |= !cJSON_AddStringToObject(o, "sha256", in[i].sha256);
	}
	if (bad) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

p304_code p304_write_inputs_manifest(const p304_input_file *inputs, size_t n,
				     const char *const *argv, const char *const *files,
				     FILE *fp, p304_error *err)
{
	return wu_print_json(manifest_base(inputs, n, argv, files), fp, err);
}

p304_code p304_write_manifest(const p304_result *res, const char *const *argv,
			      const char *const *files, FILE *fp, p304_error *err)
{
	cJSON *root = manifest_base(res->inputs, res->ninputs, argv, files), *scen;
	int bad = !root;

	if (bad)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	/* The scenario as read: parsed again, it is known to be valid JSON. */
	scen = cJSON_Parse(res->scenario->text);
	bad |= !scen || !cJSON_AddItemToObject(root, "scenario", scen);
	if (res->sources) {
		cJSON *src = cJSON_AddObjectToObject(root, "sources");

		bad |= !src;
		for (size_t k = 0; src && k < res->scenario->ncriteria; k++) {
			const char *t = res->sources[k] ? res->sources[k] : "non renseignée";

			bad |= !cJSON_AddStringToObject(src, res->scenario->criteria[k].column, t);
		}
	}
	if (bad) {
		cJSON_Delete(root);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	return wu_print_json(root, fp, err);
}
