/*
 * chart_priv.h - private to the chart module: the gnuplot runner and a
 * growable text buffer for scripts.
 */
#ifndef P304_CHART_PRIV_H
#define P304_CHART_PRIV_H

#include <stddef.h>

#include <p304/chart.h>

/* Runs gnuplot with `script` on its standard input. */
p304_code gnuplot_run(const char *script, size_t len, p304_error *err);

struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A gnuplot string expression for a text: single-quoted pieces, an
 * apostrophe as "'" joined with ., control characters as spaces. */
void sb_quote(struct sbuf *b, const char *text);
/* A token safe inside a datablock: quoted, spaces kept as U+00A0, double
 * quotes turned into single ones, control characters dropped. */
void sb_token(struct sbuf *b, const char *text);

#endif
