/*
 * writeutil.h - private helpers shared by the io writers: integers as exact
 * JSON numbers, printing a cJSON tree, and CSV rows for Excel (every field
 * quoted by libcsv, ';' between, CRLF).
 */
#ifndef P304_WRITEUTIL_H
#define P304_WRITEUTIL_H

#include <stdio.h>

#include <cjson/cJSON.h>
#include <p304/format.h>

/* v as a JSON number printed exactly (cJSON would print 10^15 as 1e+15). */
cJSON *wu_int(int64_t v);
/* The same, or null when v is P304_NO_BOUND ("no need", "no cap"). */
cJSON *wu_eur_or_null(int64_t v);
/* Prints root (tab-indented, as cJSON_Print) and a newline to fp; deletes
 * root. A NULL root means an earlier allocation failed. */
p304_code wu_print_json(cJSON *root, FILE *fp, p304_error *err);
/* The "criteria" array of a result: column, weight, source (chart captions
 * and readers find the provenance in every result file). */
cJSON *wu_criteria(const p304_scenario *sc, char *const *sources);
/* Would Excel read this text as a formula: it starts with '=', '+', '-',
 * '@', a tab or a carriage return and is not a plain number (-12, 3,5)? */
int wu_text_is_formula(const char *s);
/* One quoted CSV field, preceded by ';' unless first; a text Excel would
 * read as a formula is written with a leading apostrophe (numbers are left
 * as they are). Returns -1 on error. */
int wu_field(FILE *fp, const char *s, int first);
/* A whole CSV row and its CRLF. Returns -1 on error. */
int wu_row(FILE *fp, const char *const *fields, size_t n);

#endif
