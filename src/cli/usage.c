/*
 * usage.c - a command's --help built from its option table (git's
 * usage_with_options, issue 20): the usage lines, the command's paragraph,
 * one line per option from the table and what comes after. Each option's
 * text is its own translation, so adding an option adds one message and
 * leaves the others translated; the layout (columns, wrapping) is computed
 * here on the translated texts, never written in a message.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define WIDTH 79    /* the 80-column terminal the texts were written for */
#define LEFT_MAX 20 /* an option spelled longer has its text on the next line */

/* Terminal columns of s[0..n): one per UTF-8 character (é, ×, −, and the
 * non-breaking spaces French puts before ':' all take one). */
static size_t cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

static void indent(FILE *fp, size_t n)
{
	fprintf(fp, "%*s", (int)n, "");
}

/* Prints `text` from column `col` (reached already), breaking at spaces
 * before WIDTH; further lines, and those a "\n" of the text starts, begin
 * at column `at`. The non-breaking spaces are not spaces: "montant :" stays
 * whole. */
static void wrap(FILE *fp, const char *text, size_t col, size_t at)
{
	int first = 1;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, " \n"), w = cols(p, n);

		if (*p == '\n' || (n && !first && col + 1 + w > WIDTH)) {
			fputc('\n', fp);
			indent(fp, at);
			col = at;
			first = 1;
			p += *p == '\n';
			continue;
		}
		if (!n) {
			p++;
			continue;
		}
		if (!first) {
			fputc(' ', fp);
			col++;
		}
		fwrite(p, 1, n, fp);
		col += w;
		first = 0;
		p += n;
	}
	fputc('\n', fp);
}

static int shown(const struct cli_option *o)
{
	return o->help != NULL;
}

/* "-o, --output DIR" (every spelling), or "[-o DIR]" (the first one). */
static const char *spelled(const struct cli_option *o, int brief, char *buf, size_t size)
{
	size_t k = 0;

	if (brief)
		buf[k++] = '[';
	for (const char *p = o->names; *p && k + 4 < size; p++) {
		if (*p == '|' && brief)
			break;
		if (*p == '|') {
			buf[k++] = ',';
			buf[k++] = ' ';
		} else {
			buf[k++] = *p;
		}
	}
	buf[k] = '\0';
	if (o->argh)
		snprintf(buf + k, size - k, " %s", _(o->argh));
	if (brief)
		strncat(buf, "]", size - strlen(buf) - 1);
	return buf;
}

/* 1 when the synopsis names one spelling of `o` (it is then not repeated
 * as "[...]"); the msgid is searched, option names are never translated. */
static int named(const char *synopsis, const struct cli_option *o)
{
	for (const char *p = o->names; *p;) {
		size_t n = strcspn(p, "|");

		for (const char *s = synopsis; (s = strstr(s, p)) != NULL; s++) {
			char before = s == synopsis ? ' ' : s[-1], after = s[n];

			if (strncmp(s, p, n) == 0 && !strchr("-abcdefghijklmnopqrstuvwxyz", before) &&
			    (after == '\0' || !strchr("-abcdefghijklmnopqrstuvwxyz0123456789", after)))
				return 1;
		}
		p += n + (p[n] == '|');
	}
	return 0;
}

/* "usage: p304 CMD FORM [-o DIR] [-q] ...", one form a line, the options
 * the forms do not name added to each and wrapped under its first word. */
static void print_synopsis(FILE *fp, const struct cli_usage *u, const struct cli_option *opts)
{
	const char *prefix = _("usage: "), *form = u->synopsis ? _(u->synopsis) : "";
	size_t plen = cols(prefix, strlen(prefix));
	char buf[128];

	for (int first = 1; first || *form; first = 0) {
		size_t n = strcspn(form, "\n");
		size_t at = plen + cols("p304 ", 5) + cols(u->cmd, strlen(u->cmd)) + 1;
		size_t col = at + cols(form, n);

		if (first)
			fputs(prefix, fp);
		else
			indent(fp, plen);
		fprintf(fp, "p304 %s%s%.*s", u->cmd, n ? " " : "", (int)n, form);
		if (!n)
			col--;
		for (const struct cli_option *o = opts; o->names; o++) {
			if (o->names[0] != '-' || !shown(o) || (u->synopsis && named(u->synopsis, o)))
				continue;
			spelled(o, 1, buf, sizeof(buf));
			if (col + 1 + cols(buf, strlen(buf)) > WIDTH) {
				fputc('\n', fp);
				indent(fp, at - 1);
				col = at - 1;
			}
			col += 1 + cols(buf, strlen(buf));
			fprintf(fp, " %s", buf);
		}
		fputc('\n', fp);
		form += n + (form[n] == '\n');
	}
}

/* One option line: "  -o, --output DIR    its text", the text from column
 * `at`, or on the next line when the option is spelled longer. */
static void print_option(FILE *fp, const char *left, const char *help, size_t at)
{
	size_t w = cols(left, strlen(left));

	fprintf(fp, "  %s", left);
	if (2 + w + 2 > at) {
		fputc('\n', fp);
		indent(fp, at);
	} else {
		indent(fp, at - 2 - w);
	}
	wrap(fp, _(help), at, at);
}

void cli_print_usage(FILE *fp, const struct cli_usage *u, const struct cli_option *opts)
{
	const struct cli_option help = { "-h|--help", NULL, NULL, NULL, NULL, N_("this text") };
	size_t width = cols("-h, --help", 10);
	char buf[128];

	print_synopsis(fp, u, opts);
	fprintf(fp, "\n%s\n", _(u->intro));
	for (const struct cli_option *o = opts; o->names; o++) {
		size_t w;

		if (!shown(o))
			continue;
		spelled(o, 0, buf, sizeof(buf));
		w = cols(buf, strlen(buf));
		if (w <= LEFT_MAX && w > width)
			width = w;
	}
	for (const struct cli_option *o = opts; o->names; o++)
		if (shown(o))
			print_option(fp, spelled(o, 0, buf, sizeof(buf)), o->help, 2 + width + 2);
	print_option(fp, spelled(&help, 0, buf, sizeof(buf)), help.help, 2 + width + 2);
	if (u->outro)
		fprintf(fp, "\n%s", _(u->outro));
}
