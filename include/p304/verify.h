/*
 * verify.h - reproducibility of a published output set (`p304 verify`): the
 * inputs' SHA-256 against the manifest, then the recorded command rerun into
 * a scratch folder and compared file by file, row by row for JSON.
 *
 * A manifest is data from outside: only the subcommands that write output
 * sets are replayed, their options rebuilt from a fixed list (an unknown
 * option is refused, a recorded output folder dropped: the scratch folder is
 * the only output), never `verify` itself.
 */
#ifndef P304_VERIFY_H
#define P304_VERIFY_H

#include <p304/p304.h>

typedef struct p304_verify_report {
	char *command;   /* the recorded command line, for display ("" if none) */
	char *replayed;  /* the command verify ran (its scratch output left out) */
	char **lines;    /* the differences, one line each, in a stable order */
	size_t nlines;
	char **notes;    /* remarks that are not differences (working folder gone) */
	size_t nnotes;
	size_t nfiles;   /* files compared */
	size_t ninputs;  /* inputs listed in the manifest */
} p304_verify_report;

/*
 * Verifies the set in `dir`, rerunning `self` (the p304 executable, an
 * absolute path) with the rebuilt arguments in the recorded working folder.
 * The set is identical when the call returns P304_OK with rep->nlines == 0;
 * P304_OK with lines means differences (a changed input, a different file,
 * a failed recomputation). Every scratch folder is removed before returning.
 * Errors: P304_ERR_IO (no such folder, no scratch folder), P304_ERR_INPUT
 * (not a manifest of p304, or a command verify does not replay),
 * P304_ERR_NOMEM. Release `rep` with p304_verify_report_release in all cases.
 */
p304_code p304_verify_set(const char *dir, const char *self, p304_verify_report *rep,
			  p304_error *err);

/* Frees the contents of `rep` (not `rep`); accepts NULL. */
void p304_verify_report_release(p304_verify_report *rep);

#endif /* P304_VERIFY_H */
