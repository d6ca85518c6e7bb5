/*
 * workspace.h - private: the scratch buffers behind p304_workspace. Grown on
 * demand, never shrunk, so a loop of allocations of the same size allocates
 * memory only once.
 */
#ifndef P304_WORKSPACE_H
#define P304_WORKSPACE_H

#include <p304/p304.h>

struct p304_workspace {
	size_t cap;
	size_t *idx;          /* index scratch (active rows, selection) */
	long double *blo;     /* breakpoint at which a row leaves its lower bound */
	long double *bhi;     /* breakpoint at which a row reaches its upper bound */
	long double *exact;   /* exact amounts */
	long double *shares;
	p304_status *position;
	int64_t *amounts;     /* rounded amounts */
	int64_t *bounds;      /* per-row upper bounds (reconciliation) */
	uint64_t *keys;       /* rounding: remainders as integer keys */
	int64_t *weights;     /* reconciliation: shares as integers */
	unsigned char *flags; /* reconciliation: saturated rows */
	size_t *order;        /* rows by decreasing share, kept between calls */
	size_t order_n;       /* rows `order` was made for (0: none) */
	size_t last_n;        /* rows of the previous solve (0: none) */
	int64_t *totals;
	size_t ktotals;
};

/* Makes room for n rows and k criteria; P304_ERR_NOMEM on failure. */
p304_code workspace_reserve(p304_workspace *ws, size_t n, size_t k,
			    p304_error *err);

#endif
