/*
 * select.h - quickselect over row indices, private to the core (rounding.c,
 * sweep_fast.c): reorders idx[0..n) so that its first k entries are the k
 * rows that come first by `before`. Lomuto partition, middle pivot,
 * expected O(n). Static inline, so that each caller's order is inlined into
 * its own copy; with ties the first k hold some k of the tied rows.
 */
#ifndef P304_SELECT_H
#define P304_SELECT_H

#include <stddef.h>

static inline void select_first_k(size_t *idx, size_t n, size_t k,
				  int (*before)(const void *ctx, size_t a, size_t b),
				  const void *ctx)
{
	size_t left = 0, right = n;

	while (right - left > 1) {
		size_t mid = left + (right - left) / 2, store = left, pivot, t;

		pivot = idx[mid];
		idx[mid] = idx[right - 1];
		idx[right - 1] = pivot;
		for (size_t i = left; i < right - 1; i++) {
			if (before(ctx, idx[i], pivot)) {
				t = idx[i];
				idx[i] = idx[store];
				idx[store++] = t;
			}
		}
		idx[right - 1] = idx[store];
		idx[store] = pivot;
		if (k < store)
			right = store;
		else if (k > store + 1)
			left = store + 1;
		else
			break;
	}
}

#endif
