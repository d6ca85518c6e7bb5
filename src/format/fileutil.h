/*
 * fileutil.h - private helpers of the io module: whole-file reads with clear
 * messages, path joining.
 */
#ifndef P304_FILEUTIL_H
#define P304_FILEUTIL_H

#include <p304/p304.h>
#include <stddef.h>
#include <stdio.h>

/* Reads the whole regular file at path into a NUL-terminated buffer the
 * caller frees. Refuses directories, missing and unreadable files. */
p304_code p304_read_file(const char *path, char **buf, size_t *len,
			 p304_error *err);

/* Opens a regular file for reading (never blocks on a FIFO); NULL with
 * `err` set otherwise. The caller fcloses. */
FILE *p304_open_regular(const char *path, p304_error *err);

/* `path` as open() would resolve it, absolute, for messages ("looked for"). */
void p304_path_resolved(const char *path, char *out, size_t size);

/* When `err` is a file error on a `path` read from the scenario that does not
 * exist, appends that scenario paths are relative to the scenario's folder.
 * Returns err->code. */
p304_code p304_note_scenario_relative(p304_error *err, const char *path,
				      const char *scenario_path);

/* `rel` resolved against the directory of `base_file` (unless absolute).
 * Joined as text, no ".." folded: the path open() resolves.
 * Returns a malloc'd string or NULL. */
char *p304_path_relative_to(const char *base_file, const char *rel);

/* A scratch folder for what p304 makes before it writes a set (pandoc's
 * .docx and .odt, charts), shared by `fiches` and `note`. Created by
 * p304_scratch_open (mkdtemp, /tmp/p304-TAG-XXXXXX; 0, or -1 with errno),
 * emptied of its regular files and removed by p304_scratch_close (only this
 * folder: never a user's file; safe on a folder never opened). */
typedef struct p304_scratch {
	char dir[64];
	int open;
} p304_scratch;
int p304_scratch_open(p304_scratch *s, const char *tag);
/* DIR/name into buf (size bytes); returns buf. */
char *p304_scratch_path(const p304_scratch *s, const char *name, char *buf, size_t size);
void p304_scratch_close(p304_scratch *s);

/* A writer that copies the file whose path is `path` (a NUL-terminated
 * string, given as the context of an output-set file) into fp. */
p304_code p304_copy_file_to(const void *path, FILE *fp, p304_error *err);

/* Text that reaches a file must be valid for that file's format (issue 19).
 * p304_utf8_check: 0 when text[0..len) is UTF-8 (no overlong form, no
 * surrogate, nothing beyond U+10FFFF); otherwise -1 with the 1-based line
 * and the first bad byte. */
int p304_utf8_check(const char *text, size_t len, long *line, unsigned *byte);

/* The first character of the UTF-8 string s that XML 1.0 forbids (C0
 * controls but tab, LF and CR; U+FFFE, U+FFFF): a workbook's
 * sharedStrings.xml cannot hold it. Returns its code point, or -1 if none. */
long p304_xml_bad_char(const char *s);

/* A JSON text holding the escape \u0000 inside a string: cJSON would cut the
 * string there. Returns its 1-based line, or 0 if none. */
long p304_json_nul_escape(const char *text, size_t len);

struct cJSON;
/* Walks every key and string value of a parsed JSON document; at the first
 * one holding a character XML forbids, writes its place ("title",
 * "rows[3].name") to `where` and returns the code point; -1 if none. */
long p304_json_xml_bad(const struct cJSON *root, char *where, size_t size);

/* Both checks above on a parsed JSON file: P304_ERR_INPUT naming the line
 * (\u0000) or the field (a character XML forbids). */
p304_code p304_json_text_check(const char *path, const char *text, size_t len,
			       const struct cJSON *root, p304_error *err);

#endif
