/*
 * parts.c - see parts.h. Why the closing boundary is checked here too:
 * libmicrohttpd hands over a part's bytes as soon as it is sure they are not
 * a boundary, so a body cut by a proxy gave a needs line "974;2787000" as
 * "2787" with a 200 (issue 19); its own verdict (MHD_destroy_post_processor)
 * is kept, and the body must also end with "--BOUNDARY--" (RFC 2046 5.1.1:
 * the close delimiter, then an optional epilogue we do not accept).
 */
#include "server/parts.h"

#include "format/fileutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* boundary=VALUE or boundary="VALUE" in a Content-Type (RFC 2046: 1 to 70
 * characters). */
static void read_boundary(struct srv_parts *p, const char *ct)
{
	const char *b = ct;
	size_t n;

	p->boundary[0] = '\0';
	while (b && (b = strcasestr(b, "boundary="))) {
		if (b == ct || b[-1] == ';' || b[-1] == ' ' || b[-1] == '\t')
			break;
		b += 9;
	}
	if (!b)
		return;
	b += 9;
	if (*b == '"') {
		const char *end = strchr(++b, '"');

		if (!end)
			return;
		n = (size_t)(end - b);
	} else {
		n = strcspn(b, "; \t");
	}
	if (n == 0 || n > 70)
		return;
	memcpy(p->boundary, "--", 2);
	memcpy(p->boundary + 2, b, n);
	p->boundary[n + 2] = '\0';
}

int srv_parts_content_type_ok(const char *ct)
{
	static const char bchars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789'()+_,-./:=?";
	size_t n;

	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return 0;
	ct += 19;
	ct += strspn(ct, " \t");
	if (*ct++ != ';')
		return 0;
	ct += strspn(ct, " \t");
	if (strncmp(ct, "boundary=", 9) != 0)
		return 0;
	ct += 9;
	n = strspn(ct, bchars);
	return n >= 1 && n <= 70 && ct[n] == '\0';
}

void srv_parts_init(struct srv_parts *p, const char *const *names, const char *content_type)
{
	memset(p, 0, sizeof(*p));
	p->names = names;
	if (content_type)
		read_boundary(p, content_type);
}

int srv_parts_index(const struct srv_parts *p, const char *name)
{
	for (int i = 0; p->names && p->names[i] && i < SRV_MAX_PARTS; i++)
		if (name && strcmp(name, p->names[i]) == 0)
			return i;
	return -1;
}

static int fail(struct srv_parts *p, enum srv_parts_fault f, const char *name)
{
	if (!p->fault) {
		size_t n = name ? strnlen(name, sizeof(p->fault_name) - 1) : 0;

		p->fault = f;
		memcpy(p->fault_name, name ? name : "", n);
		p->fault_name[n] = '\0';
	}
	return -1;
}

static int grow(struct srv_parts *p, int i, size_t more)
{
	size_t need = p->len[i] + more + 1, nc = p->cap[i] ? p->cap[i] : 4096;
	char *d;

	if (need <= p->cap[i])
		return 0;
	while (nc < need)
		nc *= 2;
	if (!(d = realloc(p->data[i], nc)))
		return -1;
	p->data[i] = d;
	p->cap[i] = nc;
	return 0;
}

int srv_parts_add(struct srv_parts *p, const char *name, uint64_t off, const char *data,
		  size_t size)
{
	int i = srv_parts_index(p, name);

	if (p->fault)
		return -1;
	if (!name || !*name)
		return fail(p, SRV_PARTS_UNNAMED, "");
	if (i < 0)
		return fail(p, SRV_PARTS_UNKNOWN, name);
	/* libmicrohttpd starts every part at offset 0: a second start of a
	 * name seen before is a second part of that name, which used to be
	 * glued to the first ("1" + "500000" read as 1 500 000 €). */
	if (off == 0 && p->seen[i])
		return fail(p, SRV_PARTS_DUPLICATE, name);
	if (off != (uint64_t)p->len[i])
		return fail(p, SRV_PARTS_MALFORMED, name);
	p->seen[i] = 1;
	if (grow(p, i, size))
		return fail(p, SRV_PARTS_NOMEM, name);
	if (size)
		memcpy(p->data[i] + p->len[i], data, size);
	p->len[i] += size;
	p->data[i][p->len[i]] = '\0';
	return 0;
}

void srv_parts_filename(struct srv_parts *p, const char *name, const char *filename)
{
	int i = srv_parts_index(p, name);
	const char *base = filename;
	size_t n;

	if (i < 0 || !filename)
		return;
	for (const char *s = filename; *s; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	n = strlen(base);
	if (n == 0 || n >= sizeof(p->filename[i]) || p304_utf8_check(base, n, NULL, NULL) != 0)
		return;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)base[k] < 0x20 || base[k] == 0x7f)
			return;
	memcpy(p->filename[i], base, n + 1);
}

void srv_parts_raw(struct srv_parts *p, const char *data, size_t size)
{
	size_t keep = sizeof(p->tail);

	for (size_t i = 0; i < size && !p->crlf; i++)
		p->crlf = data[i] == '\n' && (i ? data[i - 1] : p->last) == '\r';
	if (size)
		p->last = data[size - 1];
	if (size >= keep) {
		memcpy(p->tail, data + size - keep, keep);
		p->tail_len = keep;
		return;
	}
	if (p->tail_len + size > keep) {
		size_t drop = p->tail_len + size - keep;

		memmove(p->tail, p->tail + drop, p->tail_len - drop);
		p->tail_len -= drop;
	}
	memcpy(p->tail + p->tail_len, data, size);
	p->tail_len += size;
}

/* The body ends with the close delimiter "--B--", then at most a line end
 * (the tail kept, 96 bytes, holds all of it: 2 + 70 + 2 + 2). */
static int closed(const struct srv_parts *p)
{
	size_t n = p->tail_len, bl = strlen(p->boundary);

	if (!bl)
		return 0;
	/* "--B--", "--B--\n" or "--B--\r\n": nothing else after it */
	if (n && p->tail[n - 1] == '\n')
		n--;
	if (n && p->tail[n - 1] == '\r')
		n--;
	if (n < bl + 2 || memcmp(p->tail + n - 2, "--", 2) != 0)
		return 0;
	n -= 2;
	if (memcmp(p->tail + n - bl, p->boundary, bl) != 0)
		return 0;
	/* the delimiter starts a line (or the body) */
	return n == bl || p->tail[n - bl - 1] == '\n';
}

enum srv_parts_fault srv_parts_finish(struct srv_parts *p, int parser_complete)
{
	if (p->fault)
		return p->fault;
	if (!parser_complete || !closed(p))
		p->fault = p->crlf ? SRV_PARTS_TRUNCATED : SRV_PARTS_LF_ONLY;
	return p->fault;
}

void srv_parts_free(struct srv_parts *p)
{
	for (int i = 0; i < SRV_MAX_PARTS; i++) {
		free(p->data[i]);
		p->data[i] = NULL;
	}
}
