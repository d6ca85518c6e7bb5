/*
 * xlsx_file.h - private: a workbook written through a temporary file.
 * libxlsxwriter writes to a file name, p304's writers to a FILE *: every
 * workbook (results, ledger views and exports) is made in a private file
 * of /tmp, copied to the caller's stream, and the private file removed.
 */
#ifndef P304_XLSX_FILE_H
#define P304_XLSX_FILE_H

#include <stdio.h>

#include <p304/format.h>
#include <xlsxwriter.h>

/* A new workbook in a private temporary file whose name goes to tmp
 * (size >= 32), with fixed document properties (title "p304", created
 * 2000-01-01) so the same inputs give a byte-identical workbook — p304
 * verify compares it too. NULL on error, err set. */
lxw_workbook *p304_xlsx_begin(char *tmp, size_t size, p304_error *err);

/* Closes wb, copies the file to fp and removes it, whatever happens. */
p304_code p304_xlsx_end(lxw_workbook *wb, const char *tmp, FILE *fp, p304_error *err);

#endif
