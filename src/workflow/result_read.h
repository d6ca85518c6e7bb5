/*
 * result_read.h - p304's own result files read back (repartition.json,
 * notification.json): by `compare`, `avenant` and the page's "résultat
 * enregistré". Private to src/workflow.
 */
#ifndef P304_RESULT_READ_H
#define P304_RESULT_READ_H

#include <p304/io.h>

struct cJSON;

/* The rows of a result file, checked: UTF-8 text with no character a
 * workbook cannot hold, codes in the reference and each once (2 and 02 are
 * one code), whole amounts, and rows that add up to the file's own total
 * ("allocated_eur", or "notified_eur" for a notification). */
struct p304_result_rows {
	struct cJSON *root;            /* the whole document */
	const char *field;             /* "amount_eur" or "notified_eur" */
	size_t n;
	const p304_authority **auth;   /* into the reference */
	int64_t *amount;
	const char **status;           /* into root; NULL when absent */
	int64_t total;
};

/* 1 when `text` looks like a result (an object with a "rows" array and no
 * "data"), not a scenario. */
int p304_result_looks_like(const char *text, size_t len);

/* Reads text[0..len), NUL-terminated at len (the file `path`, for
 * messages), into `out`; on error
 * `out` holds nothing. Free with p304_result_rows_free. */
p304_code p304_result_rows_read(const char *path, const char *text, size_t len,
				const p304_reference *ref, struct p304_result_rows *out,
				p304_error *err);
void p304_result_rows_free(struct p304_result_rows *r);

#endif
