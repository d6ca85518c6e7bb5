/*
 * compare_internal.h - what the three files of `p304 compare` share
 * (private to src/io/): compare_join.c reads the two sides and joins their
 * rows across codings, compare_decomp.c splits each change between the
 * factors, compare_run.c builds the comparison from both.
 */
#ifndef P304_COMPARE_INTERNAL_H
#define P304_COMPARE_INTERNAL_H

#include <p304/workflow.h>

/* One side: a scenario run, or the amounts of a result file. */
struct side {
	p304_result *res;      /* scenario run, or NULL */
	char *id, *title;
	size_t n;
	char **codes;          /* canonical codes of the participants */
	int64_t *amount;
	char **status;
	p304_csv *table;       /* scenario: the whole criteria table */
	const p304_reference *ref;
};

/* The rows of the comparison: one per authority of either side, a
 * gathering authority (6AE) and its members (67, 68) in one row. */
struct joined {
	char **code;   /* joined row codes */
	size_t n, cap;
	char **raw;    /* raw code -> joined index (parallel arrays) */
	size_t *to;
	size_t nraw, rawcap;
};

/* Adds a note to the comparison (each text once). */
p304_code compare_add_note(p304_comparison *c, p304_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Side `label` ("A" or "B") from a scenario or a result file; its inputs
 * are added to c's. compare_side_free frees what it holds, not s. */
p304_code compare_read_side(p304_catalogue *cat, struct side *s, p304_comparison *c,
			    const char *path,
			    const char *default_reference, const p304_reference *ref,
			    const char *label, p304_error *err);
void compare_side_free(struct side *s);
/* Index of `code` among the side's participants, or -1. */
long compare_side_find(const struct side *s, const char *code);

/* The joined rows of a and b (notes say which codings were joined);
 * compare_joined_free frees what j holds. */
p304_code compare_build_join(struct joined *j, p304_comparison *c, const struct side *a,
			     const struct side *b, const p304_reference *ref, p304_error *err);
long compare_joined_index(const struct joined *j, const char *code);
void compare_joined_free(struct joined *j);

/* The exact decomposition of every row's change between the factors
 * (Shapley value over the 2^k combinations), into c's rows and factors. */
p304_code compare_decompose(p304_comparison *c, const struct side *a, const struct side *b,
			    const struct joined *j, p304_error *err);

#endif
