/*
 * controlled_round.c - controlled rounding of a two-way table (Cox, "A
 * constructive procedure for unbiased controlled rounding", JASA 82, 1987):
 * every cell goes to one of its two adjacent integers, and so does every
 * row total, every column total and the grand total, with the rounded
 * table still adding up. An integer total is kept exactly. The comparison
 * uses it so that each row's factors add up to its change and each factor's
 * column adds up to that factor's effect on the total (issue 21: the
 * envelope column summed to +1 999 991 € for a change of +2 000 000 €).
 *
 * The method: the table bordered by its negated totals has every line
 * summing to 0. A cell that is not an integer then always has another one
 * on its row and on its column, so the non-integer cells hold a cycle
 * (alternately along a row and a column). Moving every cell of the cycle
 * by +d, −d, +d, … keeps every line's sum; the largest d that keeps each
 * cell between its two adjacent integers makes at least one of them an
 * integer. Repeat until none is left. Cox draws the direction at random
 * (unbiased); we take the smaller move, ties towards zero for the cycle's
 * first cell, so the result is deterministic and negating the table negates
 * the rounding.
 */
#include <stdlib.h>

#include <p304/p304.h>
#include "banned.h"
#include "gettext.h"

struct table {
	size_t rows, cols;     /* bordered: rows = n + 1, cols = m + 1 */
	int64_t den;
	int64_t *whole, *frac; /* value = whole + frac / den, 0 <= frac < den */
};

static void set_neg(struct table *t, size_t k, int64_t whole, int64_t frac)
{
	t->whole[k] = frac ? -whole - 1 : -whole;
	t->frac[k] = frac ? t->den - frac : 0;
}

/* A non-integer cell on line `line` (a row when is_row) other than `not`,
 * lowest index first; (size_t)-1 when there is none. */
static size_t next_cell(const struct table *t, int is_row, size_t line, size_t not)
{
	size_t n = is_row ? t->cols : t->rows;

	for (size_t x = 0; x < n; x++) {
		size_t k = is_row ? line * t->cols + x : x * t->cols + line;

		if (k != not && t->frac[k])
			return k;
	}
	return (size_t)-1;
}

/* Walks from a non-integer cell to the line (row or column) it touches,
 * leaves that line by another non-integer cell, and so on, until it comes
 * back to a line already crossed: *cyc receives the cells of that cycle,
 * whose length (even) is returned; 0 if the walk got stuck (the bordered
 * table did not add up). seen_*[line] = index in path of the cell that
 * left the line. */
static size_t find_cycle(const struct table *t, size_t start, size_t *path, size_t *seen_row,
			 size_t *seen_col, size_t **cyc)
{
	size_t len = 0, line = start % t->cols;
	int at_row = 0; /* the walk stands on a column */

	for (size_t i = 0; i < t->rows; i++)
		seen_row[i] = (size_t)-1;
	for (size_t j = 0; j < t->cols; j++)
		seen_col[j] = (size_t)-1;
	seen_row[start / t->cols] = 0;
	path[len++] = start;
	seen_col[line] = len;
	for (;;) {
		size_t nk = next_cell(t, at_row, line, path[len - 1]), *seen;

		if (nk == (size_t)-1)
			return 0;
		path[len++] = nk;
		/* the line nk leads to: its row when the walk stood on a column */
		line = at_row ? nk % t->cols : nk / t->cols;
		at_row = !at_row;
		seen = at_row ? seen_row : seen_col;
		if (seen[line] != (size_t)-1) {
			*cyc = path + seen[line];
			return len - seen[line];
		}
		seen[line] = len;
	}
}

/* Moves the cycle by the smaller of its two largest moves. */
static void shift_cycle(struct table *t, const size_t *cyc, size_t len)
{
	int64_t up = t->den, down = t->den, d;
	int sign;

	for (size_t j = 0; j < len; j++) {
		int64_t f = t->frac[cyc[j]];
		/* even cells move with the direction, odd ones against it */
		int64_t room_up = j % 2 ? f : t->den - f, room_down = j % 2 ? t->den - f : f;

		up = room_up < up ? room_up : up;
		down = room_down < down ? room_down : down;
	}
	if (up != down)
		sign = up < down ? 1 : -1;
	else
		sign = t->whole[cyc[0]] >= 0 ? -1 : 1; /* the first cell towards zero */
	d = sign > 0 ? up : down;
	for (size_t j = 0; j < len; j++) {
		size_t k = cyc[j];
		int64_t f = t->frac[k] + (j % 2 ? -sign : sign) * d;

		if (f >= t->den) {
			t->whole[k]++;
			f -= t->den;
		} else if (f < 0) {
			t->whole[k]--;
			f += t->den;
		}
		t->frac[k] = f;
	}
}

static p304_code fill(struct table *t, size_t n, size_t m, const int64_t *whole,
		      const int64_t *frac)
{
	size_t C = m + 1;
	int64_t tw = 0, tf = 0;

	for (size_t i = 0; i < n; i++) {
		int64_t rw = 0, rf = 0;

		for (size_t f = 0; f < m; f++) {
			size_t k = i * C + f;

			if (frac[i * m + f] < 0 || frac[i * m + f] >= t->den)
				return P304_ERR_USAGE;
			t->whole[k] = whole[i * m + f];
			t->frac[k] = frac[i * m + f];
			rw += t->whole[k];
			rf += t->frac[k];
		}
		rw += rf / t->den;
		set_neg(t, i * C + m, rw, rf % t->den);
	}
	for (size_t f = 0; f < m; f++) {
		int64_t cw = 0, cf = 0;

		for (size_t i = 0; i < n; i++) {
			cw += t->whole[i * C + f];
			cf += t->frac[i * C + f];
		}
		cw += cf / t->den;
		cf %= t->den;
		set_neg(t, n * C + f, cw, cf);
		tw += cw;
		tf += cf;
	}
	t->whole[n * C + m] = tw + tf / t->den;
	t->frac[n * C + m] = tf % t->den;
	return P304_OK;
}

p304_code p304_controlled_round(size_t n, size_t m, int64_t den, const int64_t *whole,
				const int64_t *frac, int64_t *out, p304_error *err)
{
	struct table t = { n + 1, m + 1, den, NULL, NULL };
	size_t cells = (n + 1) * (m + 1), *path = NULL, *seen_row = NULL, *seen_col = NULL;
	p304_code rc = P304_OK;

	if (den < 1)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, "controlled rounding: denominator %lld",
				      (long long)den);
	t.whole = calloc(cells, sizeof(int64_t));
	t.frac = calloc(cells, sizeof(int64_t));
	path = calloc(t.rows + t.cols + 2, sizeof(size_t));
	seen_row = calloc(t.rows, sizeof(size_t));
	seen_col = calloc(t.cols, sizeof(size_t));
	if (!t.whole || !t.frac || !path || !seen_row || !seen_col) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		goto out;
	}
	if (fill(&t, n, m, whole, frac) != P304_OK) {
		rc = p304_error_set(err, P304_ERR_USAGE, NULL, 0,
				    "controlled rounding: a fraction outside [0, den)");
		goto out;
	}
	/* each pass makes at least one more cell an integer */
	for (size_t k = 0; k < cells; k++) {
		size_t *cyc, len;

		while (t.frac[k]) {
			len = find_cycle(&t, k, path, seen_row, seen_col, &cyc);
			if (len < 4 || len % 2) {
				rc = p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
						    "controlled rounding: no cycle through a fractional cell");
				goto out;
			}
			shift_cycle(&t, cyc, len);
		}
	}
	for (size_t i = 0; i < n; i++)
		for (size_t f = 0; f < m; f++)
			out[i * m + f] = t.whole[i * (m + 1) + f];
out:
	free(t.whole);
	free(t.frac);
	free(path);
	free(seen_row);
	free(seen_col);
	return rc;
}
