/*
 * headers.h - private to the format and workflow layers: the columns of the
 * files officers fill in (needs, caps, consumption) found by the headers
 * they type (headers.c).
 */
#ifndef P304_HEADERS_H
#define P304_HEADERS_H

#include <stddef.h>

#include <p304/format.h>

/* The comparable form of a header: lower case ASCII words joined by '_',
 * accents folded, a unit (€, EUR, euros) and a leading « montant (de) » or
 * « crédits » dropped, final plural 's' dropped: "Montant délégué 2023 (€)"
 * and "delegue_2023" both give "delegue_2023". */
void p304_header_key(const char *h, char *buf, size_t size);

/*
 * Column of the machine name `name` (code, besoin_eur, date_reception,
 * consomme_eur, montant_eur, or a column named by the scenario such as
 * delegue_2023): the header equal to it ignoring case, else the one with the
 * same key, else the usual French header of that column (« Département »,
 * « Besoin exprimé (€) »). `others` (NULL-terminated, may be NULL) are the
 * file's other columns, so that the hint does not propose renaming them.
 * Returns -1 when no header fits or two fit equally; then, when err is not
 * NULL, the message lists the columns found and says which one to rename
 * and to what.
 */
long p304_csv_find_header(const p304_csv *csv, const char *name,
			  const char *const *others, p304_error *err);

/* The same, for the round of `year` (0 = not known, -1 = no year read, as
 * p304_csv_find_header): a documented column's header may end with a year
 * (« Besoin exprimé 2026 »); one ending with another year than `year` is
 * not read, and when no other header fits the message says which year is
 * expected. */
long p304_csv_find_header_year(const p304_csv *csv, const char *name,
			       const char *const *others, int year, p304_error *err);

/*
 * The last row when it is the total an assistant adds under a table: its
 * code cell empty or « Total »/« TOTAL », its amounts in the `ncols`
 * columns `cols` (cents allowed) the sums of the rows above. Returns 1 (the
 * last row is that total, to skip; what[] says so, for the warnings), 0 (no
 * total row), or -1 with err set: a total that is not the sum (never read
 * as a département, never skipped silently).
 */
int p304_csv_total_row(const p304_csv *csv, long codecol, const long *cols, size_t ncols,
		       char *what, size_t what_size, p304_error *err);

#endif
