/*
 * fileutil.h - private helpers of the io module: whole-file reads with clear
 * messages, path joining.
 */
#ifndef P304_FILEUTIL_H
#define P304_FILEUTIL_H

#include <p304/p304.h>
#include <stddef.h>

/* Reads the whole regular file at path into a NUL-terminated buffer the
 * caller frees. Refuses directories, missing and unreadable files. */
p304_code p304_read_file(const char *path, char **buf, size_t *len,
			 p304_error *err);

/* `rel` resolved against the directory of `base_file` (unless absolute).
 * Returns a malloc'd string or NULL. */
char *p304_path_relative_to(const char *base_file, const char *rel);

#endif
