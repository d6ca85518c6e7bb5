/*
 * ledger_chart.c - the evolution chart of the campaign ledger (issue 22):
 * one line per collectivité over the years of a view (a stage, or the écart
 * between two), names not codes, drawn by gnuplot (child process, script
 * on its standard input) into a temporary PNG copied to the caller's file.
 */
#include <p304/chart.h>
#include <p304/ledger.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart/chart_priv.h"
#include "gettext.h"

/* The rows drawn: the codes asked for, else the `max` largest in the last
 * year that has amounts. */
static size_t pick_rows(const p304_ledger_view *v, const char *const *codes, size_t ncodes,
			size_t *rows, size_t max)
{
	size_t n = 0, ny = (size_t)v->nyears;

	if (ncodes) {
		for (size_t k = 0; k < ncodes && n < max; k++)
			for (size_t i = 0; i < v->nrows; i++)
				if (strcmp(v->codes[i], codes[k]) == 0)
					rows[n++] = i;
		return n;
	}
	for (size_t i = 0; i < v->nrows; i++) {
		int64_t last = P304_LEDGER_NONE;
		size_t at;

		for (size_t y = 0; y < ny; y++)
			if (v->v[i * ny + y] != P304_LEDGER_NONE)
				last = v->v[i * ny + y];
		if (last == P304_LEDGER_NONE)
			continue;
		/* insertion into the top `max`, largest first */
		for (at = n; at > 0; at--) {
			size_t j = rows[at - 1];
			int64_t lj = P304_LEDGER_NONE;

			for (size_t y = 0; y < ny; y++)
				if (v->v[j * ny + y] != P304_LEDGER_NONE)
					lj = v->v[j * ny + y];
			if (lj >= last)
				break;
			if (at < max)
				rows[at] = j;
		}
		if (at < max) {
			rows[at] = i;
			if (n < max)
				n++;
		}
	}
	return n;
}

static void script(struct sbuf *b, const p304_ledger_view *v, const p304_reference *ref,
		   const size_t *rows, size_t n, const char *out)
{
	size_t ny = (size_t)v->nyears;
	char title[160];

	if (v->minus == v->stage)
		snprintf(title, sizeof(title), "Montant %s par année", p304_stage_label_fr(v->stage));
	else
		snprintf(title, sizeof(title), "Écart %s − %s par année", p304_stage_label_fr(v->stage),
			 p304_stage_label_fr(v->minus));
	sb_printf(b, "set terminal pngcairo size 1000,600 noenhanced font 'DejaVu Sans,10'\n"
		  "set encoding utf8\nset output ");
	sb_quote(b, out);
	sb_printf(b, "\nset decimalsign ','\nset border 3\nset tics nomirror\nset title ");
	sb_quote(b, title);
	sb_printf(b, "\nset xlabel 'année'\nset ylabel 'millions d''euros'\nset xtics 1\n"
		  "set format y '%%.2f'\nset key outside right top\nset grid ytics\n"
		  "set datafile missing '?'\nset xrange [%d:%d]\n$d << EOD\n",
		  v->year0 - (ny == 1), v->year0 + v->nyears - 1 + (ny == 1));
	for (size_t y = 0; y < ny; y++) {
		sb_printf(b, "%d", v->year0 + (int)y);
		for (size_t k = 0; k < n; k++) {
			int64_t a = v->v[rows[k] * ny + y];

			if (a == P304_LEDGER_NONE)
				sb_printf(b, " ?");
			else
				sb_printf(b, " %.6f", (double)a / 1e6);
		}
		sb_printf(b, "\n");
	}
	sb_printf(b, "EOD\nplot ");
	for (size_t k = 0; k < n; k++) {
		const p304_authority *a = ref ? p304_reference_find(ref, v->codes[rows[k]]) : NULL;

		sb_printf(b, "%s$d using 1:%zu with linespoints lw 2 pt 7 title ", k ? ", " : "", k + 2);
		/* names, not codes: what the officers read */
		sb_quote(b, a ? a->name : v->codes[rows[k]]);
	}
	sb_printf(b, "\n");
}

p304_code p304_chart_ledger_evolution(const p304_ledger_view *v, const p304_reference *ref,
				      const char *const *codes, size_t ncodes, FILE *fp,
				      p304_error *err)
{
	char tmp[] = "/tmp/p304-evolution-XXXXXX", buf[65536];
	struct sbuf b = { 0 };
	size_t rows[12], n = pick_rows(v, codes, ncodes, rows, 12), got;
	p304_code rc;
	FILE *in;
	int fd;

	if (n == 0)
		return p304_error_set(err, P304_ERR_INPUT, NULL, 0,
				      _("nothing to draw: no amount for these collectivités"));
	if ((fd = mkstemp(tmp)) < 0)
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot create a temporary file"));
	close(fd);
	script(&b, v, ref, rows, n, tmp);
	if (b.oom) {
		free(b.s);
		unlink(tmp);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	rc = gnuplot_run(b.s, b.len, err);
	free(b.s);
	if (rc == P304_OK) {
		if (!(in = fopen(tmp, "rb"))) {
			rc = p304_error_set(err, P304_ERR_IO, tmp, 0, _("cannot read the chart back"));
		} else {
			while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
				if (fwrite(buf, 1, got, fp) != got)
					rc = p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
			fclose(in);
		}
	}
	unlink(tmp);
	return rc;
}
