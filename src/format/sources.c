/*
 * sources.c - the provenance of each criterion in words, for documents read
 * by people (the note, the département sheets): « Enfants de 0 à 19 ans :
 * INSEE, …, au 1er janvier 2019 (provisoire) », read from the
 * "<data>.sources.csv" file beside the criteria table.
 */
#include <p304/format.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gettext.h"

const char *p304_date_fr(long yyyymmdd, char *buf, size_t size)
{
	static const char *const month[] = { "janvier", "février", "mars", "avril", "mai", "juin",
		"juillet", "août", "septembre", "octobre", "novembre", "décembre" };
	int y = (int)(yyyymmdd / 10000), m = (int)(yyyymmdd / 100 % 100), d = (int)(yyyymmdd % 100);

	if (m < 1 || m > 12 || d < 1 || d > 31) {
		snprintf(buf, size, "%ld", yyyymmdd);
		return buf;
	}
	snprintf(buf, size, "%d%s %s %d", d, d == 1 ? "er" : "", month[m - 1], y);
	return buf;
}

static char *dupl(const char *s)
{
	return strdup(s ? s : "");
}

/* "01/01/2019" -> "au 1er janvier 2019"; any other text -> "réf. TEXT". */
static void reference_words(const char *ref, char *buf, size_t size)
{
	long d = p304_parse_date(ref);

	if (d > 0) {
		char w[64];

		snprintf(buf, size, "au %s", p304_date_fr(d, w, sizeof(w)));
	} else if (ref && *ref) {
		snprintf(buf, size, "réf. %s", ref);
	} else {
		buf[0] = '\0';
	}
}

p304_code p304_sources_read(const p304_result *res, p304_source_text **out, p304_error *err)
{
	const p304_scenario *sc = res->scenario;
	p304_source_text *s = calloc(sc->ncriteria ? sc->ncriteria : 1, sizeof(*s));
	p304_csv *csv = NULL;
	p304_code rc = P304_OK;
	long c_col = -1, c_lab = -1, c_prod = -1, c_ref = -1, c_stat = -1, c_meth = -1;

	*out = NULL;
	if (!s)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	/* the table the run read (the server's catalogue has no file to
	 * reopen: the page's note said « source non renseignée ») */
	if (res->sources_table)
		csv = p304_csv_ref(res->sources_table);
	else if (res->sources_path && (rc = p304_csv_load(res->sources_path, &csv, err)) != P304_OK)
		goto fail;
	if (csv) {
		c_col = p304_csv_find_column(csv, "colonne");
		c_lab = p304_csv_find_column(csv, "libelle");
		c_prod = p304_csv_find_column(csv, "producteur");
		c_ref = p304_csv_find_column(csv, "date_reference");
		c_stat = p304_csv_find_column(csv, "statut");
		c_meth = p304_csv_find_column(csv, "methode");
	}
	for (size_t k = 0; k < sc->ncriteria; k++) {
		const char *col = sc->criteria[k].column;
		long row = -1;

		for (size_t r = 0; csv && c_col >= 0 && r < p304_csv_nrows(csv); r++)
			if (!strcmp(p304_csv_cell(csv, r, (size_t)c_col), col))
				row = (long)r;
		if (row >= 0) {
			char refw[160], words[1200];
			const char *lab = c_lab >= 0 ? p304_csv_cell(csv, (size_t)row, (size_t)c_lab) : "";
			const char *st = c_stat >= 0 ? p304_csv_cell(csv, (size_t)row, (size_t)c_stat) : "";

			reference_words(c_ref >= 0 ? p304_csv_cell(csv, (size_t)row, (size_t)c_ref) : "",
					refw, sizeof(refw));
			snprintf(words, sizeof(words), "%s%s%s%s%s%s",
				 c_prod >= 0 ? p304_csv_cell(csv, (size_t)row, (size_t)c_prod) : "",
				 refw[0] ? ", " : "", refw, st[0] ? " (" : "", st, st[0] ? ")" : "");
			s[k].label = dupl(lab[0] ? lab : col);
			s[k].words = dupl(words);
			s[k].method = dupl(c_meth >= 0 ? p304_csv_cell(csv, (size_t)row, (size_t)c_meth) : "");
		} else {
			s[k].label = dupl(col);
			s[k].words = dupl(res->sources && res->sources[k] ? res->sources[k]
					  : "source non renseignée");
			s[k].method = dupl("");
		}
		if (!s[k].label || !s[k].words || !s[k].method) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto fail;
		}
	}
	p304_csv_free(csv);
	*out = s;
	return P304_OK;
fail:
	p304_csv_free(csv);
	p304_sources_free(s, sc->ncriteria);
	return rc;
}

void p304_sources_free(p304_source_text *s, size_t n)
{
	if (!s)
		return;
	for (size_t k = 0; k < n; k++) {
		free(s[k].label);
		free(s[k].words);
		free(s[k].method);
	}
	free(s);
}

/* The label of column `col` ("Enfants de 0 à 19 ans"), or the column's own
 * name when it is not a criterion with a label. */
static const char *label_of(const p304_result *res, const p304_source_text *src, const char *col,
			    size_t len)
{
	for (size_t k = 0; src && k < res->scenario->ncriteria; k++)
		if (strlen(res->scenario->criteria[k].column) == len &&
		    !strncmp(res->scenario->criteria[k].column, col, len))
			return src[k].label;
	return NULL;
}

/* Appends `s` (n bytes) to buf at *o, cut at size. */
static void put(char *buf, size_t size, size_t *o, const char *s, size_t n)
{
	if (*o + 1 >= size)
		return;
	if (n > size - 1 - *o)
		n = size - 1 - *o;
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

/* "'menages_pauvres'" -> "« Ménages pauvres »"; " (criteres-2025.csv:101)"
 * dropped: the rest of the text as it is. */
static void generic_words(const p304_result *res, const p304_source_text *src, const char *w,
			  char *buf, size_t size)
{
	size_t o = 0;

	buf[0] = '\0';
	while (*w) {
		const char *q = *w == '\'' ? strchr(w + 1, '\'') : NULL;
		const char *lab = q ? label_of(res, src, w + 1, (size_t)(q - w - 1)) : NULL;
		const char *close = *w == ' ' && w[1] == '(' ? strchr(w, ')') : NULL;
		const char *colon = close ? memchr(w, ':', (size_t)(close - w)) : NULL;

		if (lab) {
			put(buf, size, &o, "« ", strlen("« "));
			put(buf, size, &o, lab, strlen(lab));
			put(buf, size, &o, " »", strlen(" »"));
			w = q + 1;
		} else if (colon && colon - w > 5 && !strncmp(colon - 4, ".csv", 4) &&
			   strspn(colon + 1, "0123456789") == (size_t)(close - colon - 1)) {
			w = close + 1; /* " (criteres-2025.csv:101)" */
		} else {
			put(buf, size, &o, w, 1);
			w++;
		}
	}
}

const char *p304_warning_words(const p304_result *res, const p304_source_text *src, const char *w,
			       char *buf, size_t size)
{
	const char *sp = strstr(w, " ("), *end = strstr(w, ") : '"), *imp = strstr(w, "' imputé à ");
	const char *exc = strstr(w, ") exclu : ");

	if (!size)
		return buf;
	if (sp && end && imp && end < imp) {
		/* "973 (Guyane) : 'a' imputé à 31891 = 'b' 118637 × 0,27 (…)" */
		const char *col = end + 5, *val = imp + strlen("' imputé à "), *from = strstr(val, " = '");
		const char *fend = from ? strchr(from + 4, '\'') : NULL;
		const char *la = label_of(res, src, col, (size_t)(imp - col));
		const char *lb = fend ? label_of(res, src, from + 4, (size_t)(fend - from - 4)) : NULL;
		char v[64];

		if (la && lb) {
			p304_format_eur(v, sizeof(v), strtoll(val, NULL, 10), "\xE2\x80\xAF", "");
			snprintf(buf, size, "%.*s (%.*s) : « %s » est une valeur estimée à partir de « %s » "
				 "(%s, en appliquant le rapport des totaux des deux critères).",
				 (int)(end - sp - 2), sp + 2, (int)(sp - w), w, la, lb, v);
			return buf;
		}
	} else if (sp && exc && sp < exc) {
		/* "976 (Mayotte) exclu : aucune valeur dans 'a', 'b' (f.csv:101)" */
		for (size_t i = 0; i < res->nexcluded; i++) {
			const p304_excluded *x = &res->excluded[i];
			size_t o = 0;

			if (strncmp(w, x->code, (size_t)(sp - w)) || x->code[sp - w])
				continue;
			snprintf(buf, size, "%s (%s) n'est pas dans la répartition : la table des critères "
				 "ne donne pas ", x->name, x->code);
			o = strlen(buf);
			for (const char *c = x->columns; *c;) {
				size_t n = strcspn(c, ",");
				const char *lab = label_of(res, src, c, n);

				if (c != x->columns)
					put(buf, size, &o, " ni ", 4);
				put(buf, size, &o, "« ", strlen("« "));
				put(buf, size, &o, lab ? lab : c, lab ? strlen(lab) : n);
				put(buf, size, &o, " »", strlen(" »"));
				c += n;
				c += strspn(c, ", ");
			}
			put(buf, size, &o, ".", 1);
			return buf;
		}
	}
	generic_words(res, src, w, buf, size);
	return buf;
}
