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
