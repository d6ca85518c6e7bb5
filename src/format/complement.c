/*
 * complement.c - a complement table (docs/formats.md, issue 21): figures an
 * officer supplies where the shipped criteria tables have none (Saint-Martin,
 * Mayotte, the FIR and ONDAM columns), one per line with its source:
 * code;critere;valeur;source. Read with the same forgiving CSV reader as
 * every input; each refusal names the line and the field, because an
 * officer typing these figures by hand fixes them one line at a time.
 */
#include <p304/format.h>

#include <stdlib.h>
#include <string.h>
#include "gettext.h"

static const char *const COLUMNS[] = { "code", "critere", "valeur", "source" };
#define NCOLUMNS (sizeof(COLUMNS) / sizeof(COLUMNS[0]))

static int value_cmp(const void *a, const void *b)
{
	const p304_complement_value *x = a, *y = b;
	int c = strcmp(x->auth->code, y->auth->code);

	if (c)
		return c;
	c = strcmp(x->column, y->column);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void list_known(const char *const *known, size_t nknown, char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nknown && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", known[i]);
}

static int is_known(const char *const *known, size_t nknown, const char *col)
{
	for (size_t i = 0; i < nknown; i++)
		if (strcmp(known[i], col) == 0)
			return 1;
	return 0;
}

/* One line: its code, criterion, value and source, each checked. */
static p304_code read_line(const p304_csv *csv, const long *col, size_t r,
			   const p304_reference *ref, const char *const *known,
			   size_t nknown, p304_complement_value *v, p304_error *err)
{
	const char *path = p304_csv_path(csv);
	const char *code = p304_csv_cell(csv, r, (size_t)col[0]);
	const char *crit = p304_csv_cell(csv, r, (size_t)col[1]);
	const char *val = p304_csv_cell(csv, r, (size_t)col[2]);
	const char *src = p304_csv_cell(csv, r, (size_t)col[3]);
	long line = p304_csv_line(csv, r);
	char why[256], list[600];

	v->line = line;
	if (!code[0])
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("column 'code' is empty, expected a code of the reference list such as 978"));
	if (!(v->auth = p304_reference_find(ref, code))) {
		char hint[200];

		p304_reference_unknown_hint(ref, code, hint, sizeof(hint));
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("code '%s' is not in the reference list %s%s"), code,
			p304_reference_path(ref), hint);
	}
	list_known(known, nknown, list, sizeof(list));
	if (!crit[0])
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("column 'critere' is empty, expected one of: %s"), list);
	if (!is_known(known, nknown, crit))
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("criterion '%s' in column 'critere' is neither a criterion of the scenario "
			  "nor a column of the criteria table, expected one of: %s"), crit, list);
	v->column = crit;
	if (p304_parse_number(val, strlen(val), 3, -1, P304_NUM_COUNT, &v->value, why,
			      sizeof(why)) != 0)
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("value '%s' in column 'valeur' %s"), val, why);
	if (!src[strspn(src, " \t")])
		return p304_error_set(err, P304_ERR_INPUT, path, line,
			_("column 'source' is empty for '%s' of %s (%s), expected where the figure "
			  "comes from: producer, publication, date"), crit, v->auth->code,
			v->auth->name);
	v->source = src;
	return P304_OK;
}

p304_code p304_complement_read(p304_csv *csv, const p304_reference *ref,
			       const char *const *known, size_t nknown,
			       p304_complement **out, p304_error *err)
{
	p304_complement *c;
	long col[NCOLUMNS];
	p304_code rc = P304_OK;

	*out = NULL;
	for (size_t i = 0; i < NCOLUMNS; i++) {
		if ((col[i] = p304_csv_find_column(csv, COLUMNS[i])) < 0) {
			char found[512];

			p304_csv_describe_columns(csv, found, sizeof(found));
			return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
				_("column '%s' is missing; columns found: %s; expected "
				  "code;critere;valeur;source"), COLUMNS[i], found);
		}
	}
	if (p304_csv_nrows(csv) == 0)
		return p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv), 1,
				      _("the table has a header but no data row"));
	if (!(c = calloc(1, sizeof(*c))) ||
	    !(c->v = calloc(p304_csv_nrows(csv), sizeof(*c->v)))) {
		free(c);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	c->csv = p304_csv_ref(csv);
	for (size_t r = 0; r < p304_csv_nrows(csv) && rc == P304_OK; r++)
		rc = read_line(csv, col, r, ref, known, nknown, &c->v[c->n++], err);
	if (rc == P304_OK) {
		qsort(c->v, c->n, sizeof(*c->v), value_cmp);
		for (size_t i = 1; i < c->n && rc == P304_OK; i++)
			if (c->v[i].auth == c->v[i - 1].auth &&
			    strcmp(c->v[i].column, c->v[i - 1].column) == 0)
				rc = p304_error_set(err, P304_ERR_INPUT, p304_csv_path(csv),
					c->v[i].line, _("'%s' of %s (%s) is given twice (lines %ld and "
					"%ld), expected one value per code and criterion"),
					c->v[i].column, c->v[i].auth->code, c->v[i].auth->name,
					c->v[i - 1].line, c->v[i].line);
	}
	if (rc != P304_OK) {
		p304_complement_free(c);
		return rc;
	}
	*out = c;
	return P304_OK;
}

const p304_complement_value *p304_complement_find(const p304_complement *c,
						  const p304_authority *a,
						  const char *column)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->v[i].auth == a && strcmp(c->v[i].column, column) == 0)
			return &c->v[i];
	return NULL;
}

int p304_complement_has_column(const p304_complement *c, const char *column)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->v[i].column, column) == 0)
			return 1;
	return 0;
}

void p304_complement_free(p304_complement *c)
{
	if (!c)
		return;
	p304_csv_free(c->csv);
	free(c->v);
	free(c);
}
