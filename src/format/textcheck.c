/*
 * textcheck.c - what text may reach an output file (issue 19): UTF-8 for
 * JSON and CSV, and no character that XML 1.0 forbids, since every title,
 * name and status ends in a workbook's sharedStrings.xml, which a single
 * U+FFFF makes unreadable (LibreOffice then drops half the cells).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "format/fileutil.h"

int p304_utf8_check(const char *text, size_t len, long *line, unsigned *byte)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	long l = 1;

	while (p < end) {
		size_t n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
			 : (*p & 0xF8) == 0xF0 ? 3 : 4;
		unsigned long cp = n == 0 ? *p : n == 1 ? (*p & 0x1Fu) : n == 2 ? (*p & 0x0Fu) : (*p & 0x07u);
		int ok = n < 4 && (size_t)(end - p) > n;

		for (size_t i = 1; ok && i <= n; i++) {
			ok = (p[i] & 0xC0) == 0x80;
			cp = (cp << 6) | (p[i] & 0x3Fu);
		}
		/* no overlong form, no surrogate, nothing beyond U+10FFFF */
		if (ok && n > 0)
			ok = cp >= (n == 1 ? 0x80ul : n == 2 ? 0x800ul : 0x10000ul) &&
			     !(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF;
		if (!ok) {
			if (line)
				*line = l;
			if (byte)
				*byte = *p;
			return -1;
		}
		if (*p == '\n')
			l++;
		p += n + 1;
	}
	return 0;
}

/* s is UTF-8 (checked before): decoded without further checks. */
long p304_xml_bad_char(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned long cp;
		size_t n;

		if (*p < 0x80) {
			if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
				return *p;
			p++;
			continue;
		}
		n = (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;
		cp = n == 1 ? (*p & 0x1Fu) : n == 2 ? (*p & 0x0Fu) : (*p & 0x07u);
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return p[i] ? (long)p[i] : (long)*p; /* not UTF-8 after all */
			cp = (cp << 6) | (p[i] & 0x3Fu);
		}
		if (cp == 0xFFFE || cp == 0xFFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (long)cp;
		p += n + 1;
	}
	return -1;
}

long p304_json_nul_escape(const char *text, size_t len)
{
	long line = 1;
	int in_string = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			line++;
		if (text[i] == '"') {
			in_string = !in_string;
		} else if (in_string && text[i] == '\\' && i + 1 < len) {
			if (text[i + 1] == 'u' && i + 5 < len && !strncmp(text + i + 2, "0000", 4))
				return line;
			i++; /* the escaped character, a quote included */
		}
	}
	return 0;
}

static long walk(const cJSON *item, char *where, size_t size, size_t at)
{
	size_t i = 0;

	for (const cJSON *c = item->child; c; c = c->next, i++) {
		size_t n = at;
		long bad;

		if (c->string)
			n += (size_t)snprintf(where + at, at < size ? size - at : 0, "%s%s",
					      at ? "." : "", c->string);
		else
			n += (size_t)snprintf(where + at, at < size ? size - at : 0, "[%zu]", i + 1);
		if (n >= size)
			n = size - 1;
		if (c->string && (bad = p304_xml_bad_char(c->string)) >= 0)
			return bad;
		if (cJSON_IsString(c) && (bad = p304_xml_bad_char(c->valuestring)) >= 0)
			return bad;
		if ((bad = walk(c, where, size, n)) >= 0)
			return bad;
		where[at] = '\0';
	}
	return -1;
}

long p304_json_xml_bad(const cJSON *root, char *where, size_t size)
{
	if (!size)
		return -1;
	where[0] = '\0';
	if (!root)
		return -1;
	if (cJSON_IsString(root))
		return p304_xml_bad_char(root->valuestring);
	return walk(root, where, size, 0);
}
