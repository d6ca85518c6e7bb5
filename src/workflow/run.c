/*
 * run.c - one allocation from files: reads the scenario, the reference list,
 * the criteria table and its sources, checks every used cell, builds the
 * core's problem in code order and calls p304_allocate. Each refusal names
 * the file, the line and the value.
 */
#include <p304/workflow.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "format/fileutil.h"
#include "gettext.h"

/* A row of the criteria table that takes part. */
struct part {
	const p304_authority *auth;
	size_t row;   /* row in the table */
	long line;
	long src_line;/* line in the participants list, if any */
	int supplied_only; /* no row in the table: its figures all come from the
			    * complement table, `line` is its first line there */
};

static int part_cmp(const void *a, const void *b)
{
	return strcmp(((const struct part *)a)->auth->code,
		      ((const struct part *)b)->auth->code);
}

p304_code p304_result_add_input(p304_result *res, const char *role,
				const char *path, p304_error *err)
{
	return p304_result_add_input_in(NULL, res, role, path, err);
}

/* With a catalogue, the path recorded is where it read the file and the
 * SHA-256 is of the bytes it holds. */
p304_code p304_result_add_input_in(p304_catalogue *cat, p304_result *res,
				   const char *role, const char *path, p304_error *err)
{
	p304_input_file *in;
	void *p = realloc(res->inputs, (res->ninputs + 1) * sizeof(*res->inputs));
	p304_code rc;

	if (!p)
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	res->inputs = p;
	in = &res->inputs[res->ninputs];
	memset(in, 0, sizeof(*in));
	in->role = strdup(role);
	in->path = strdup(cat ? p304_catalogue_where(cat, path) : path);
	res->ninputs++;
	if (!in->role || !in->path)
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	if ((rc = cat ? p304_catalogue_sha256(cat, path, in->sha256, err)
		      : p304_sha256_file(path, in->sha256, err)) != P304_OK)
		return rc;
	return P304_OK;
}

p304_code p304_result_add_warning(p304_result *res, const char *text,
				  p304_error *err)
{
	void *p = realloc(res->warnings, (res->nwarnings + 1) * sizeof(char *));

	if (!p || !(((char **)p)[res->nwarnings] = strdup(text))) {
		if (p)
			res->warnings = p;
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	res->warnings = p;
	res->nwarnings++;
	return P304_OK;
}

/* The code column is "code" whatever its case; the first column otherwise
 * would be a guess, so it is an error. */
static long find_code_column(const p304_csv *csv)
{
	for (size_t i = 0; i < p304_csv_ncols(csv); i++)
		if (strcasecmp(p304_csv_header(csv, i), "code") == 0)
			return (long)i;
	return -1;
}

static p304_code missing_column(const p304_csv *csv, const char *name,
				p304_error *err)
{
	char found[600];

	p304_csv_describe_columns(csv, found, sizeof(found));
	/* One column holding another separator: say so, it is the usual
	 * reason (an export with '|' or ':' rather than ';'). */
	if (p304_csv_ncols(csv) == 1) {
		const char *h = p304_csv_header(csv, 0);
		const char *sep = h + strcspn(h, "|:#/");

		if (*sep)
			return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
				_("column '%s' not found; columns found: %s; the file seems to use "
				  "'%c' as separator, p304 reads ';', ',' or tab"), name, found, *sep);
	}
	return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
		_("column '%s' not found; columns found: %s"), name, found);
}

/* Resolves the code cell of each row against the reference list. */
static p304_code resolve_rows(const p304_csv *csv, long codecol,
			      const p304_reference *ref, struct part *rows,
			      p304_error *err)
{
	size_t n = p304_csv_nrows(csv);

	for (size_t r = 0; r < n; r++) {
		const char *raw = p304_csv_cell(csv, r, (size_t)codecol);
		const p304_authority *a = p304_reference_find(ref, raw);

		rows[r].row = r;
		rows[r].line = p304_csv_line(csv, r);
		if (!a) {
			char hint[200];

			p304_reference_unknown_hint(ref, raw, hint, sizeof(hint));
			return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv),
				rows[r].line, _("code '%s' is not in the reference list %s%s"),
				raw, p304_reference_path(ref), hint);
		}
		rows[r].auth = a;
	}
	qsort(rows, n, sizeof(*rows), part_cmp);
	for (size_t r = 1; r < n; r++)
		if (rows[r].auth == rows[r - 1].auth)
			return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv),
				rows[r].line > rows[r - 1].line ? rows[r].line : rows[r - 1].line,
				_("duplicate code '%s' (lines %ld and %ld)"), rows[r].auth->code,
				rows[r - 1].line < rows[r].line ? rows[r - 1].line : rows[r].line,
				rows[r - 1].line < rows[r].line ? rows[r].line : rows[r - 1].line);
	return P304_OK;
}

static struct part *find_part(struct part *rows, size_t n, const p304_authority *a)
{
	struct part key = { .auth = a };

	return bsearch(&key, rows, n, sizeof(*rows), part_cmp);
}

/* Keeps in `rows` only the participants named by the scenario. */
static p304_code select_participants(p304_catalogue *cat, p304_result *res,
				     const p304_csv *table,
				     struct part *rows, size_t *n,
				     p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	const p304_reference *ref = res->reference;
	char **codes = sc->participants;
	size_t ncodes = sc->nparticipants;
	p304_csv *list = NULL;
	const char *where = sc->path;
	struct part *keep;
	size_t nkeep = 0;
	p304_code rc = P304_OK;

	if (sc->participants_kind == P304_PARTICIPANTS_ALL)
		return P304_OK;
	if (sc->participants_kind == P304_PARTICIPANTS_FILE) {
		long col;

		if ((rc = p304_catalogue_csv(cat, sc->participants_path, &list, err)) != P304_OK)
			return p304_note_scenario_relative(err, sc->participants_path, sc->path);
		if ((rc = p304_result_add_input_in(cat, res, "participants", sc->participants_path,
						   err)) != P304_OK)
			goto out;
		if ((col = find_code_column(list)) < 0) {
			rc = missing_column(list, "code", err);
			goto out;
		}
		ncodes = p304_csv_nrows(list);
		codes = calloc(ncodes ? ncodes : 1, sizeof(char *));
		if (!codes) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto out;
		}
		for (size_t i = 0; i < ncodes; i++)
			codes[i] = (char *)p304_csv_cell(list, i, (size_t)col);
		where = sc->participants_path;
	}
	keep = calloc(ncodes ? ncodes : 1, sizeof(*keep));
	if (!keep) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < ncodes; i++) {
		long line = list ? p304_csv_line(list, i) : sc->participants_pos[i];
		const p304_authority *a = p304_reference_find(ref, codes[i]);
		struct part *p;
		char hint[400];

		if (!a) {
			p304_reference_unknown_hint(ref, codes[i], hint, sizeof(hint));
			rc = p304_error_set(err, P304_ERR_INPUT, where, line,
				_("participant '%s' is not in the reference list %s%s"),
				codes[i], p304_reference_path(ref), hint);
			break;
		}
		p = find_part(rows, *n, a);
		if (!p) {
			p304_authority_hint(ref, a, hint, sizeof(hint));
			rc = p304_error_set(err, P304_ERR_INPUT, where, line,
				_("participant '%s' (%s) has no row in %s%s"), codes[i], a->name,
				p304_csv_path(table), hint);
			break;
		}
		keep[nkeep] = *p;
		keep[nkeep++].src_line = line;
	}
	if (rc == P304_OK) {
		qsort(keep, nkeep, sizeof(*keep), part_cmp);
		for (size_t i = 1; i < nkeep; i++) {
			if (keep[i].auth == keep[i - 1].auth) {
				rc = p304_error_set(err, P304_ERR_INPUT, where,
					keep[i].src_line,
					_("participant '%s' (%s) is listed twice"),
					keep[i].auth->code, keep[i].auth->name);
				break;
			}
		}
	}
	if (rc == P304_OK) {
		memcpy(rows, keep, nkeep * sizeof(*keep));
		*n = nkeep;
	}
	free(keep);
out:
	if (list)
		free(codes);
	p304_csv_free(list);
	return rc;
}

/*
 * One territory, one coding. A participant gathering another (6AE and 67,
 * 20R and 2A, 69 and 69M) would fund the same children twice: refused, naming
 * both. Codings of different years (2A, until 2017, beside 6AE, from 2021)
 * mean a table assembled from two vintages: refused with the coding to use.
 * Rows are sorted by authority (part_cmp): members are found by bsearch, so
 * the check is linear in the participants.
 */
static p304_code check_codings(const p304_result *res, const p304_csv *table,
			       const struct part *rows, size_t n, p304_error *err)
{
	const p304_reference *ref = res->reference;
	const struct part *newest = NULL, *oldest = NULL;
	char hint[400];

	for (size_t i = 0; i < n; i++) {
		const p304_authority *w = rows[i].auth;
		const char *m = w->members;

		while (*m) {
			size_t len = strcspn(m, "|");
			char code[16];
			const p304_authority *x;
			const struct part *p;

			snprintf(code, sizeof(code), "%.*s", (int)len, m);
			if ((x = p304_reference_find(ref, code)) != NULL &&
			    (p = find_part((struct part *)rows, n, x)) != NULL) {
				long l1 = p->line < rows[i].line ? p->line : rows[i].line;
				long l2 = p->line < rows[i].line ? rows[i].line : p->line;

				return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(table), l2,
					_("'%s' (%s) and '%s' (%s) both take part (lines %ld and %ld), "
					  "but %s is part of %s: the same territory would be funded "
					  "twice; keep one coding (remove the other rows from the "
					  "table or list the participants)"),
					x->code, x->name, w->code, w->name, l1, l2, x->code, w->code);
			}
			m += len;
			if (*m == '|')
				m++;
		}
		if (w->valid_from && (!newest || w->valid_from > newest->auth->valid_from))
			newest = &rows[i];
		if (w->valid_to && (!oldest || w->valid_to < oldest->auth->valid_to))
			oldest = &rows[i];
	}
	if (newest && oldest && newest->auth->valid_from > oldest->auth->valid_to) {
		p304_authority_hint(ref, oldest->auth, hint, sizeof(hint));
		return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(table), oldest->line,
			_("'%s' (%s, until %d) and '%s' (%s, from %d) never existed the same "
			  "year: the table mixes codings of two years%s"),
			oldest->auth->code, oldest->auth->name, oldest->auth->valid_to,
			newest->auth->code, newest->auth->name, newest->auth->valid_from, hint);
	}
	return P304_OK;
}

/* "<data>.sources.csv" beside the table: one provenance line per column. */
static p304_code load_sources(p304_catalogue *cat, p304_result *res, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	const char *data = sc->data_path;
	size_t len = strlen(data);
	p304_csv *src = NULL;
	p304_code rc = P304_OK;
	long c_col, c_prod, c_pub, c_ref, c_stat;

	res->sources = calloc(sc->ncriteria, sizeof(char *));
	res->sources_path = malloc(len + 16);
	if (!res->sources || !res->sources_path)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if (len > 4 && strcmp(data + len - 4, ".csv") == 0)
		len -= 4;
	snprintf(res->sources_path, len + 16, "%.*s.sources.csv", (int)len, data);
	if (!p304_catalogue_has(cat, res->sources_path)) {
		free(res->sources_path);
		res->sources_path = NULL;
		return P304_OK;
	}
	if ((rc = p304_catalogue_csv(cat, res->sources_path, &src, err)) != P304_OK)
		return rc;
	res->sources_table = p304_csv_ref(src);
	if ((rc = p304_result_add_input_in(cat, res, "sources", res->sources_path, err)) != P304_OK)
		goto out;
	c_col = p304_csv_find_column(src, "colonne");
	c_prod = p304_csv_find_column(src, "producteur");
	c_pub = p304_csv_find_column(src, "publication");
	c_ref = p304_csv_find_column(src, "date_reference");
	c_stat = p304_csv_find_column(src, "statut");
	if (c_col < 0 || c_prod < 0 || c_pub < 0 || c_ref < 0 || c_stat < 0) {
		rc = missing_column(src, c_col < 0 ? "colonne" : c_prod < 0 ? "producteur" :
				    c_pub < 0 ? "publication" : c_ref < 0 ? "date_reference" :
				    "statut", err);
		goto out;
	}
	for (size_t k = 0; k < sc->ncriteria; k++) {
		for (size_t r = 0; r < p304_csv_nrows(src); r++) {
			char buf[1024];

			if (strcmp(p304_csv_cell(src, r, (size_t)c_col), sc->criteria[k].column))
				continue;
			snprintf(buf, sizeof(buf), "%s, %s, réf. %s (%s)",
				 p304_csv_cell(src, r, (size_t)c_prod),
				 p304_csv_cell(src, r, (size_t)c_pub),
				 p304_csv_cell(src, r, (size_t)c_ref),
				 p304_csv_cell(src, r, (size_t)c_stat));
			free(res->sources[k]);
			if (!(res->sources[k] = strdup(buf))) {
				rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
				goto out;
			}
		}
	}
out:
	p304_csv_free(src);
	return rc;
}

/* Warnings end up in repartition.json: name files without their folder so
 * the result does not depend on where the checkout lives. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A hole: an empty cell (a non-number is an error wherever it stands). */
#define HOLE INT64_MIN

/* The figure of `row` for column `name` (index `col` in the table, -1 when
 * the table has no such column): the table's, else the complement table's
 * (issue 21: it fills holes only, so it never silently replaces a published
 * figure), else a hole. `supplied` (may be NULL) gets the complement's
 * source, or NULL. */
static p304_code parse_cell(const p304_result *res, const p304_csv *csv,
			    const struct part *row, long col, const char *name,
			    int64_t *out, const char **supplied, p304_error *err)
{
	const p304_complement_value *v = p304_complement_find(res->complement, row->auth, name);
	const char *cell = row->supplied_only || col < 0 ? ""
			   : p304_csv_cell(csv, row->row, (size_t)col);
	char why[256];
	int rc = p304_parse_number(cell, strlen(cell), 3, -1, P304_NUM_COUNT, out, why,
				   sizeof(why));

	if (supplied)
		*supplied = NULL;
	if (rc == 0 && v)
		return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(res->complement->csv),
			v->line, _("'%s' of %s (%s) already has the value %s in %s:%ld; a complement "
			"table only fills empty cells, expected this line removed"), name,
			row->auth->code, row->auth->name, cell, p304_csv_path(csv), row->line);
	if (rc == 0)
		return P304_OK;
	if (strcmp(why, _("is empty")) == 0) {
		*out = v ? v->value : HOLE;
		if (v && supplied)
			*supplied = v->source;
		return P304_OK;
	}
	return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), row->line,
		_("value '%s' in column '%s' %s"), cell, name, why);
}

/* "impute": a hole in `column` becomes from_i × Σcolumn / Σfrom over the
 * participants that have both figures, rounded to the thousandth, and the
 * rule and figures are printed as a warning: an imputation is a choice the
 * officer must see. */
static p304_code impute(p304_result *res, const p304_csv *csv, size_t c,
			const p304_impute_rule *rule, struct part *rows, size_t n,
			int64_t *values, unsigned char *imputed, p304_error *err)
{
	size_t k = res->scenario->ncriteria, both = 0;
	long fcol = p304_csv_find_column(csv, rule->from);
	int64_t *from, sum_col = 0, sum_from = 0;
	p304_code rc = P304_OK;

	long fcrit = -1;

	/* From another criterion: its values as already read and imputed, so
	 * rules chain in the order written. */
	for (size_t j = 0; j < k; j++)
		if (strcmp(res->scenario->criteria[j].column, rule->from) == 0)
			fcrit = (long)j;
	if (fcol < 0 && fcrit < 0 && !p304_complement_has_column(res->complement, rule->from))
		return missing_column(csv, rule->from, err);
	from = calloc(n ? n : 1, sizeof(int64_t));
	if (!from)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t i = 0; i < n && rc == P304_OK; i++) {
		if (fcrit >= 0)
			from[i] = values[i * k + (size_t)fcrit];
		else
			rc = parse_cell(res, csv, &rows[i], fcol, rule->from, &from[i], NULL, err);
	}
	for (size_t i = 0; i < n && rc == P304_OK; i++) {
		if (values[i * k + c] == HOLE || from[i] == HOLE)
			continue;
		if (p304_add_i64(sum_col, values[i * k + c], &sum_col) ||
		    p304_add_i64(sum_from, from[i], &sum_from))
			rc = p304_error_set(err, P304_ERR_OVERFLOW, p304_csv_path(csv), 0,
					    _("column totals overflow"));
		both++;
	}
	if (rc == P304_OK && sum_from == 0) {
		for (size_t i = 0; i < n; i++)
			if (values[i * k + c] == HOLE && from[i] != HOLE)
				rc = p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv),
					rows[i].line, _("cannot impute '%s' from '%s': no participant "
					"has both figures"), rule->column, rule->from);
	}
	for (size_t i = 0; i < n && rc == P304_OK; i++) {
		long double ratio, v;
		char msg[600];

		if (values[i * k + c] != HOLE || from[i] == HOLE)
			continue;
		ratio = (long double)sum_col / (long double)sum_from;
		/* Criteria are counts: impute a whole number. */
		v = roundl((long double)from[i] * ratio / P304_VALUE_SCALE) * P304_VALUE_SCALE;
		values[i * k + c] = (int64_t)v;
		imputed[i * k + c] = 1;
		/* French, like every text published with the figures (CSV
		 * footer, JSON, note, workbook); decimal comma by hand, no locale */
		{
			char rtxt[48], *dot;

			snprintf(rtxt, sizeof(rtxt), "%.6Lf", ratio);
			if ((dot = strchr(rtxt, '.')))
				*dot = ',';
			snprintf(msg, sizeof(msg),
				 "%s (%s) : '%s' imputé à %.0Lf = '%s' %.0Lf × %s "
				 "(rapport des totaux sur les %zu participants qui ont les deux valeurs)",
				 rows[i].auth->code, rows[i].auth->name, rule->column,
				 v / P304_VALUE_SCALE, rule->from,
				 (long double)from[i] / P304_VALUE_SCALE, rtxt, both);
		}
		rc = p304_result_add_warning(res, msg, err);
	}
	free(from);
	return rc;
}

static p304_code add_excluded(p304_result *res, const p304_authority *a,
				const char *columns, long line, p304_error *err)
{
	p304_excluded *p = realloc(res->excluded, (res->nexcluded + 1) * sizeof(*p));

	if (!p)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	res->excluded = p;
	p[res->nexcluded] = (p304_excluded){ a->code, a->name, strdup(columns), line };
	if (!p[res->nexcluded].columns)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	res->nexcluded++;
	return P304_OK;
}

/* Parses the used columns of each participant, applies the scenario's
 * imputations, then treats what is still empty: an error by default, or,
 * with "missing": "exclude", the authority is left out with a warning. */
static p304_code read_values(p304_result *res, const p304_csv *csv,
			     const long *cols, struct part *rows, size_t *n,
			     int64_t *values, unsigned char *imputed,
			     const char **supplied, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	size_t k = sc->ncriteria, out = 0;
	p304_code rc;

	for (size_t i = 0; i < *n; i++)
		for (size_t c = 0; c < k; c++)
			if ((rc = parse_cell(res, csv, &rows[i], cols[c], sc->criteria[c].column,
					     &values[i * k + c], &supplied[i * k + c],
					     err)) != P304_OK)
				return rc;
	for (size_t r = 0; r < sc->nimpute; r++)
		for (size_t c = 0; c < k; c++)
			if (strcmp(sc->criteria[c].column, sc->impute[r].column) == 0 &&
			    (rc = impute(res, csv, c, &sc->impute[r], rows, *n, values,
					 imputed, err)) != P304_OK)
				return rc;
	for (size_t i = 0; i < *n; i++) {
		size_t c;

		for (c = 0; c < k; c++)
			if (values[i * k + c] == HOLE)
				break;
		if (c == k) {
			memmove(&values[out * k], &values[i * k], k * sizeof(int64_t));
			memmove(&imputed[out * k], &imputed[i * k], k);
			memmove(&supplied[out * k], &supplied[i * k], k * sizeof(*supplied));
			rows[out++] = rows[i];
			continue;
		}
		if (sc->missing != P304_MISSING_EXCLUDE)
			return p304_error_set(err, P304_ERR_INPUT, rows[i].supplied_only ?
				p304_csv_path(res->complement->csv) : p304_csv_path(csv),
				rows[i].line,
				_("no value in column '%s' for '%s' (%s); fill it, or say in the "
				"scenario what to do (\"missing\": \"exclude\" or an \"impute\" rule)"),
				sc->criteria[c].column, rows[i].auth->code, rows[i].auth->name);
		{
			char msg[768], cols_txt[400] = "", plain[400] = "";
			size_t o = 0, op = 0;

			for (size_t j = 0; j < k; j++)
				if (values[i * k + j] == HOLE && o < sizeof(cols_txt)) {
					o += (size_t)snprintf(cols_txt + o, sizeof(cols_txt) - o,
							      "%s'%s'", o ? ", " : "",
							      sc->criteria[j].column);
					op += (size_t)snprintf(plain + op, sizeof(plain) - op,
							       "%s%s", op ? ", " : "",
							       sc->criteria[j].column);
				}
			/* issue 21: the exclusion is named with the way back in */
			snprintf(msg, sizeof(msg),
				 "%s (%s) : aucune valeur pour %s dans la table (%s:%ld) ; "
				 "exclue de la répartition — ajoutez-la par une table "
				 "complémentaire (clé « complement » du scénario)",
				 rows[i].auth->name, rows[i].auth->code, cols_txt,
				 base_name(p304_csv_path(rows[i].supplied_only ?
							  res->complement->csv : csv)),
				 rows[i].line);
			if ((rc = p304_result_add_warning(res, msg, err)) != P304_OK ||
			    (rc = add_excluded(res, rows[i].auth, plain, rows[i].line, err)) != P304_OK)
				return rc;
		}
	}
	*n = out;
	return P304_OK;
}

struct alloc_call {
	const p304_alloc_options *opt;
	p304_result **out;
};

static p304_code alloc_files(p304_catalogue *cat, const char *const *paths, void *ctx,
			     p304_error *err)
{
	const struct alloc_call *c = ctx;

	return p304_run_allocation_in(cat, paths[0], c->opt, c->out, err);
}

p304_code p304_run_allocation(const char *scenario_path, const p304_alloc_options *opt,
			      p304_result **out, p304_error *err)
{
	struct alloc_call c = { opt, out };

	*out = NULL;
	return p304_run_on_files(&scenario_path, 1, alloc_files, &c, err);
}

p304_code p304_run_allocation_in(p304_catalogue *cat, const char *scenario_path,
				 const p304_alloc_options *opt, p304_result **out,
				 p304_error *err)
{
	p304_scenario *sc = NULL;
	char *text;
	size_t len;
	p304_code rc;

	*out = NULL;
	if ((rc = p304_catalogue_text(cat, scenario_path, &text, &len, err)) != P304_OK)
		return rc;
	rc = p304_scenario_parse(scenario_path, text, len, opt ? opt->default_reference : NULL,
				 &sc, err);
	free(text);
	if (rc != P304_OK)
		return rc;
	/* --complement F, or a complement uploaded with the scenario: it
	 * replaces the scenario's own "complement" */
	if (opt && opt->complement) {
		free(sc->complement_path);
		if (!(sc->complement_path = strdup(opt->complement))) {
			p304_scenario_free(sc);
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		}
	}
	return p304_allocate_scenario(cat, sc, out, err);
}

/* The scenario's text as the catalogue holds it, or as it was parsed (a
 * scenario that came from no file). */
static p304_code add_scenario_input(p304_catalogue *cat, p304_result *res, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	p304_code rc;

	p304_input_file *in;
	void *p;

	if (p304_catalogue_has(cat, sc->path))
		return p304_result_add_input_in(cat, res, "scenario", sc->path, err);
	if (!(p = realloc(res->inputs, (res->ninputs + 1) * sizeof(*res->inputs))))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	res->inputs = p;
	in = &res->inputs[res->ninputs];
	memset(in, 0, sizeof(*in));
	in->role = strdup("scenario");
	in->path = strdup(sc->path);
	res->ninputs++;
	if (!in->role || !in->path)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	rc = p304_sha256_buffer(sc->text, strlen(sc->text), in->sha256, err);
	return rc;
}

/* A criterion only the complement table gives (FIR's enfants_0_6) is
 * sourced by it: its one source, or "ligne par ligne" when they differ —
 * never « source non renseignée » for a figure that has one. */
static p304_code complement_sources(p304_result *res, const p304_csv *table,
				     p304_error *err)
{
	const p304_complement *c = res->complement;

	for (size_t k = 0; k < res->scenario->ncriteria; k++) {
		const char *col = res->scenario->criteria[k].column, *one = NULL;
		char buf[1200];

		if (res->sources[k] || p304_csv_find_column(table, col) >= 0)
			continue;
		for (size_t i = 0; i < c->n; i++)
			if (strcmp(c->v[i].column, col) == 0 && (!one || strcmp(one, c->v[i].source)))
				one = one ? "" : c->v[i].source;
		if (!one)
			continue;
		snprintf(buf, sizeof(buf), "table complémentaire %s : %s",
			 base_name(p304_csv_path(c->csv)), one[0] ? one : "source indiquée ligne par ligne");
		if (!(res->sources[k] = strdup(buf)))
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	return P304_OK;
}

/* The scenario's complement table (issue 21), checked against the reference
 * list and the criteria it may fill: the scenario's and the table's columns. */
static p304_code load_complement(p304_catalogue *cat, p304_result *res,
				 const p304_csv *table, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	p304_csv *csv = NULL;
	const char **known;
	size_t nknown = 0;
	p304_code rc;

	if (!sc->complement_path)
		return P304_OK;
	if ((rc = p304_catalogue_csv(cat, sc->complement_path, &csv, err))) {
		p304_note_scenario_relative(err, sc->complement_path, sc->path);
		return rc;
	}
	known = calloc(sc->ncriteria + p304_csv_ncols(table) + 1, sizeof(char *));
	if (!known) {
		p304_csv_free(csv);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	for (size_t c = 0; c < sc->ncriteria; c++)
		known[nknown++] = sc->criteria[c].column;
	for (size_t c = 0; c < p304_csv_ncols(table); c++) {
		const char *h = p304_csv_header(table, c);
		size_t j;

		for (j = 0; j < nknown && strcmp(known[j], h); j++)
			;
		if (j == nknown && strcasecmp(h, "code") && strcasecmp(h, "nom"))
			known[nknown++] = h;
	}
	if ((rc = p304_result_add_input_in(cat, res, "complement", sc->complement_path,
					   err)) == P304_OK)
		rc = p304_complement_read(csv, res->reference, known, nknown, &res->complement,
					  err);
	free(known);
	p304_csv_free(csv);
	return rc ? rc : complement_sources(res, table, err);
}

/* The authorities the complement table gives figures for and the criteria
 * table has no row for (Saint-Martin): they take part like a row. `rows`
 * holds room for them (n + complement->n). */
static void add_supplied_rows(const p304_result *res, struct part *rows, size_t *n)
{
	const p304_complement *c = res->complement;
	size_t m = *n;

	for (size_t i = 0; c && i < c->n; i++) {
		const p304_authority *a = c->v[i].auth;

		if (find_part(rows, *n, a) || (m > *n && rows[m - 1].auth == a))
			continue;
		rows[m++] = (struct part){ .auth = a, .row = (size_t)-1, .line = c->v[i].line,
					   .supplied_only = 1 };
	}
	*n = m;
	qsort(rows, m, sizeof(*rows), part_cmp);
}

/* Step 1: the scenario's inputs (its own text, the reference list, the
 * criteria table and its sources), each recorded in the manifest. */
static p304_code open_inputs(p304_catalogue *cat, p304_result *res, p304_csv **csv,
			     p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	p304_code rc;

	if ((rc = add_scenario_input(cat, res, err)))
		return rc;
	/* a file not found: say that paths are relative to the scenario's folder */
	if ((rc = p304_catalogue_reference(cat, sc->reference_path, &res->reference, err))) {
		p304_note_scenario_relative(err, sc->reference_path, sc->path);
		return rc;
	}
	if ((rc = p304_result_add_input_in(cat, res, "reference", sc->reference_path, err)))
		return rc;
	if ((rc = p304_catalogue_csv(cat, sc->data_path, csv, err))) {
		p304_note_scenario_relative(err, sc->data_path, sc->path);
		return rc;
	}
	if ((rc = p304_result_add_input_in(cat, res, "data", sc->data_path, err)))
		return rc;
	if ((rc = load_sources(cat, res, err)))
		return rc;
	return load_complement(cat, res, *csv, err);
}

/* Step 2: each criterion's column and weight. Every absent column is named
 * at once: an officer filling in a preset (FIR, ONDAM) needs the whole
 * list, not one per run. */
static p304_code find_criteria(const p304_result *res, const p304_csv *csv, long *cols,
			       long double *weights, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	char absent[400] = "", found[600];
	size_t nabsent = 0, o = 0, k = sc->ncriteria;

	for (size_t c = 0; c < k; c++) {
		cols[c] = p304_csv_find_column(csv, sc->criteria[c].column);
		weights[c] = (long double)sc->criteria[c].weight_pct / 100.0L;
		/* a column only the complement table gives (FIR, ONDAM presets) */
		if (cols[c] >= 0 || p304_complement_has_column(res->complement,
							       sc->criteria[c].column))
			continue;
		nabsent++;
		if (o < sizeof(absent))
			o += (size_t)snprintf(absent + o, sizeof(absent) - o, "%s'%s'",
				o ? ", " : "", sc->criteria[c].column);
	}
	if (nabsent == 1)
		for (size_t c = 0; c < k; c++)
			if (cols[c] < 0 && !p304_complement_has_column(res->complement,
								       sc->criteria[c].column))
				return missing_column(csv, sc->criteria[c].column, err);
	if (nabsent == 0)
		return P304_OK;
	p304_csv_describe_columns(csv, found, sizeof(found));
	return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
		_("columns %s not found; columns found: %s"), absent, found);
}

/* Step 4: each criterion's total fits in 64 bits and is not 0. Checked here
 * rather than in the core so the message names the column and the file.
 * Values are thousandths: the largest total is INT64_MAX/1000. */
static p304_code check_totals(const p304_scenario *sc, const int64_t *values, size_t n,
			      p304_error *err)
{
	size_t k = sc->ncriteria;

	for (size_t c = 0; c < k; c++) {
		int64_t total = 0;

		for (size_t i = 0; i < n; i++)
			if (p304_add_i64(total, values[i * k + c], &total))
				return p304_error_set(err, P304_ERR_OVERFLOW, sc->data_path, 0,
					_("column '%s' does not fit in 64 bits: its total over the %zu "
					"participants is above 9 223 372 036 854 775, expected counts "
					"that add up to less"), sc->criteria[c].column, n);
		if (total == 0 && n > 0)
			return p304_error_set(err, P304_ERR_INPUT, sc->data_path, 0,
				_("column '%s' is 0 for all %zu participants: its %g %% of the "
				"envelope cannot be shared"), sc->criteria[c].column, n,
				sc->criteria[c].weight_pct);
	}
	return P304_OK;
}

/* Step 5: the core's allocation of the participants' figures, into `alloc`. */
static p304_code run_core(const p304_result *res, const struct part *rows, size_t n,
			  const int64_t *values, const long double *weights,
			  p304_row *alloc, p304_summary *sum, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	const char **codes = calloc(n ? n : 1, sizeof(char *));
	p304_workspace *ws = p304_workspace_new();
	p304_problem prob;
	p304_code rc;

	if (!codes || !ws) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		codes[i] = rows[i].auth->code;
	prob = (p304_problem){
		.n = n, .k = sc->ncriteria, .codes = codes, .values = values, .weights = weights,
		.envelope_eur = sc->envelope_eur,
		.floor_eur = sc->floor_eur,
		.ceiling_eur = sc->ceiling_eur,
		.unit_eur = sc->rounding_eur,
	};
	/* The core does not know files: the problem is the scenario's. */
	if ((rc = p304_allocate(&prob, ws, alloc, sum, err)) != P304_OK && err && !err->file[0])
		snprintf(err->file, sizeof(err->file), "%s", sc->path);
out:
	free(codes);
	p304_workspace_free(ws);
	return rc;
}

/* Step 6: the result's rows, each with its figures and imputation marks. */
static p304_code fill_rows(p304_result *res, const struct part *rows, size_t n,
			   const int64_t *values, const unsigned char *imputed,
			   const char *const *supplied, const p304_row *alloc, p304_error *err)
{
	size_t k = res->scenario->ncriteria;

	for (size_t i = 0; i < n; i++) {
		p304_result_row *r = &res->rows[i];

		r->code = rows[i].auth->code;
		r->name = rows[i].auth->name;
		r->region_code = rows[i].auth->region_code;
		r->region_name = rows[i].auth->region_name;
		r->line = rows[i].line;
		r->criteria = malloc(k * sizeof(int64_t));
		r->imputed = malloc(k);
		res->nrows = i + 1;
		if (!r->criteria || !r->imputed)
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		memcpy(r->criteria, values + i * k, k * sizeof(int64_t));
		memcpy(r->imputed, imputed + i * k, k);
		for (size_t c = 0; c < k && !r->supplied; c++)
			if (supplied[i * k + c] && !(r->supplied = malloc(k * sizeof(char *))))
				return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		if (r->supplied)
			memcpy(r->supplied, supplied + i * k, k * sizeof(char *));
		r->alloc = alloc[i];
	}
	return P304_OK;
}

p304_code p304_allocate_scenario(p304_catalogue *cat, p304_scenario *sc,
				 p304_result **out, p304_error *err)
{
	p304_result *res;
	p304_csv *csv = NULL;
	struct part *rows = NULL;
	int64_t *values = NULL;
	unsigned char *imputed = NULL;
	const char **supplied = NULL;
	long *cols = NULL, codecol;
	long double *weights = NULL;
	p304_row *alloc = NULL;
	size_t n, k = sc->ncriteria;
	p304_code rc;

	*out = NULL;
	res = calloc(1, sizeof(*res));
	if (!res) {
		p304_scenario_free(sc);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	res->scenario = sc;
	if ((rc = open_inputs(cat, res, &csv, err)))
		goto fail;
	if ((codecol = find_code_column(csv)) < 0) {
		rc = missing_column(csv, "code", err);
		goto fail;
	}
	cols = calloc(k, sizeof(long));
	weights = calloc(k, sizeof(long double));
	n = p304_csv_nrows(csv);
	rows = calloc(n + (res->complement ? res->complement->n : 0) + 1, sizeof(*rows));
	if (!cols || !weights || !rows)
		goto nomem;
	if ((rc = find_criteria(res, csv, cols, weights, err)))
		goto fail;
	if (n == 0) {
		rc = p304_error_set(err, P304_ERR_INPUT, sc->data_path, 1,
				    _("the table has a header but no data row"));
		goto fail;
	}
	/* Step 3: the participants, their codings and figures (holes imputed
	 * or excluded) */
	if ((rc = resolve_rows(csv, codecol, res->reference, rows, err)))
		goto fail;
	add_supplied_rows(res, rows, &n);
	if ((rc = select_participants(cat, res, csv, rows, &n, err)) ||
	    (rc = check_codings(res, csv, rows, n, err)))
		goto fail;
	values = calloc((n ? n : 1) * k, sizeof(int64_t));
	imputed = calloc((n ? n : 1) * k, 1);
	supplied = calloc((n ? n : 1) * k, sizeof(char *));
	if (!values || !imputed || !supplied)
		goto nomem;
	if ((rc = read_values(res, csv, cols, rows, &n, values, imputed, supplied, err)) ||
	    (rc = check_totals(sc, values, n, err)))
		goto fail;
	alloc = calloc(n ? n : 1, sizeof(p304_row));
	res->rows = calloc(n ? n : 1, sizeof(p304_result_row));
	if (!alloc || !res->rows)
		goto nomem;
	if ((rc = run_core(res, rows, n, values, weights, alloc, &res->summary, err)) ||
	    (rc = fill_rows(res, rows, n, values, imputed, supplied, alloc, err)))
		goto fail;
	*out = res;
	res = NULL;
	goto out;
nomem:
	rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
fail:
	p304_result_free(res);
out:
	free(rows);
	free(values);
	free(imputed);
	free(supplied);
	free(cols);
	free(weights);
	free(alloc);
	p304_csv_free(csv);
	return rc;
}

void p304_result_free(p304_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nrows; i++) {
		free(res->rows[i].criteria);
		free(res->rows[i].imputed);
		free(res->rows[i].supplied);
	}
	free(res->rows);
	for (size_t i = 0; i < res->ninputs; i++) {
		free(res->inputs[i].role);
		free(res->inputs[i].path);
	}
	free(res->inputs);
	for (size_t i = 0; i < res->nwarnings; i++)
		free(res->warnings[i]);
	free(res->warnings);
	for (size_t i = 0; i < res->nexcluded; i++)
		free(res->excluded[i].columns);
	free(res->excluded);
	if (res->scenario && res->sources)
		for (size_t k = 0; k < res->scenario->ncriteria; k++)
			free(res->sources[k]);
	free(res->sources);
	free(res->sources_path);
	p304_csv_free(res->sources_table);
	p304_complement_free(res->complement);
	p304_reference_free(res->reference);
	p304_scenario_free(res->scenario);
	free(res);
}
