/*
 * workspace.c - reusable scratch memory for the allocation core.
 */
#include "workspace.h"

#include <stdlib.h>
#include "banned.h"
#include "gettext.h"

p304_workspace *p304_workspace_new(void)
{
	return calloc(1, sizeof(p304_workspace));
}

void p304_workspace_free(p304_workspace *ws)
{
	if (!ws)
		return;
	free(ws->idx);
	free(ws->blo);
	free(ws->bhi);
	free(ws->exact);
	free(ws->shares);
	free(ws->position);
	free(ws->amounts);
	free(ws->bounds);
	free(ws->keys);
	free(ws->weights);
	free(ws->flags);
	free(ws->order);
	free(ws->totals);
	free(ws);
}

#define GROW(ptr, count) do { \
		void *p_ = realloc((ptr), (count) * sizeof(*(ptr))); \
		if (!p_) goto fail; \
		(ptr) = p_; \
	} while (0)

p304_code workspace_reserve(p304_workspace *ws, size_t n, size_t k,
			    p304_error *err)
{
	if (n == 0)
		n = 1;
	if (n > ws->cap) {
		if (n > SIZE_MAX / sizeof(long double))
			goto fail;
		GROW(ws->idx, n);
		GROW(ws->blo, n);
		GROW(ws->bhi, n);
		GROW(ws->exact, n);
		GROW(ws->shares, n);
		GROW(ws->position, n);
		GROW(ws->amounts, n);
		GROW(ws->bounds, n);
		GROW(ws->keys, n);
		GROW(ws->weights, n);
		GROW(ws->flags, n);
		GROW(ws->order, n);
		ws->order_n = 0;
		ws->cap = n;
	}
	if (k > ws->ktotals) {
		GROW(ws->totals, k);
		ws->ktotals = k;
	}
	return P304_OK;
fail:
	return p304_error_set(err, P304_ERR_NOMEM, NULL, 0,
			      _("out of memory for %zu rows"), n);
}
