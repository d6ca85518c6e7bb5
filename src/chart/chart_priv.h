/*
 * chart_priv.h - private to the chart module: the gnuplot runner and a
 * growable text buffer for scripts.
 */
#ifndef P304_CHART_PRIV_H
#define P304_CHART_PRIV_H

#include <stddef.h>
#include <sys/types.h>

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

/* A tic label's text with its percent signs doubled (gnuplot reads a tic
 * label as a format). */
const char *ch_tic_text(char *buf, size_t size, const char *t);

struct cJSON;

/* A forced line break in a title given to ch_quote_wrapped. */
#define BR "\x1e"

const char *ch_eur(char *buf, size_t size, double v);        /* "1 835 000 €" */
const char *ch_eur_signed(char *buf, size_t size, double v); /* "+20 000 €" */
const char *ch_meur(char *buf, size_t size, double v);       /* "1,84" */
const char *ch_pct(char *buf, size_t size, double v, int decimals, int sign); /* "+12,3 %" */
double ch_jnum(const struct cJSON *o, const char *k, double dflt);
const char *ch_jstr(const struct cJSON *o, const char *k, const char *dflt);
const char *ch_name(const struct cJSON *row);
const char *ch_column_words(const char *col, char *buf, size_t size);
const char *ch_factor_words(const char *factor, char *buf, size_t size);
const char *ch_clean(char *buf, size_t size, const char *t);
void ch_quote_wrapped(struct sbuf *b, const char *t, size_t per);
void ch_eur_tics(struct sbuf *b, const char *axis, double lo, double hi, int sign);
/* terminal, output, title (wrapped), French decimal sign, caption with the
 * criteria's sources */
void ch_preamble(struct sbuf *b, const p304_chart_request *req, const char *output,
		 const char *title, const struct cJSON *root, int width, int height);

/* the outline map (map.c) */
p304_code ch_map(struct sbuf *b, const p304_chart_request *req, const char *out,
		 const struct cJSON *root, p304_error *err);

/* A child's end, shared by gnuplot and pandoc: reads its stderr into msg
 * (size bytes, NUL-terminated, the rest drained), closes errfd, waits for it;
 * returns the wait status. */
int ch_child_finish(pid_t pid, int errfd, char *msg, size_t size);

#endif
