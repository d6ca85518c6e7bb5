/*
 * fuzz_parts.c - libFuzzer harness for the server's multipart part
 * collector (src/server/parts.c, issue 19). libmicrohttpd's own parser
 * needs a live connection, so the harness drives what p304 owns: the
 * boundary read from a Content-Type, the parts handed over as (name,
 * offset, bytes), and the closing-boundary check over raw bytes cut in
 * arbitrary chunks. Checks, against a model kept here: the bytes of a part
 * are exactly those given, a repeated or unknown part is refused and then
 * nothing more is taken, and the body counts as closed exactly when the
 * whole body (not only the kept tail) ends with "--BOUNDARY--".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/parts.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const NAMES[] = { "scenario", "needs", "caps", NULL };
static const char *const ASKED[] = { "scenario", "needs", "caps", "besoins", "", NULL };

/* The model's verdict on a whole body. */
static int model_closed(const char *body, size_t n, const char *delim)
{
	size_t bl = strlen(delim);

	if (!bl)
		return 0;
	if (n && body[n - 1] == '\n')
		n--;
	if (n && body[n - 1] == '\r')
		n--;
	if (n < bl + 2 || memcmp(body + n - 2, "--", 2) != 0)
		return 0;
	n -= 2;
	if (memcmp(body + n - bl, delim, bl) != 0)
		return 0;
	return n == bl || body[n - bl - 1] == '\n';
}

static void check_parts(const uint8_t *data, size_t size)
{
	struct srv_parts p;
	char *model[SRV_MAX_PARTS] = { 0 };
	size_t mlen[SRV_MAX_PARTS] = { 0 };
	int seen[SRV_MAX_PARTS] = { 0 }, faulted = 0;
	size_t i = 0;

	srv_parts_init(&p, NAMES, "multipart/form-data; boundary=x");
	while (i + 3 <= size) {
		const char *name = ASKED[data[i] % 5];
		int idx = srv_parts_index(&p, name);
		size_t n = data[i + 1] % 40;
		int off_mode = data[i + 2] % 4;
		uint64_t off;
		int rc, expect_fail;

		i += 3;
		if (n > size - i)
			n = size - i;
		off = idx < 0 ? 0 : off_mode == 0 ? 0 : off_mode == 3 ? mlen[idx] + 1 : mlen[idx];
		expect_fail = faulted || idx < 0 || (off == 0 && seen[idx]) ||
			      (idx >= 0 && off != mlen[idx]);
		rc = srv_parts_add(&p, name, off, (const char *)data + i, n);
		if ((rc != 0) != expect_fail)
			abort();
		if (rc == 0) {
			model[idx] = realloc(model[idx], mlen[idx] + n + 1);
			if (!model[idx])
				abort();
			memcpy(model[idx] + mlen[idx], data + i, n);
			mlen[idx] += n;
			seen[idx] = 1;
		} else {
			faulted = 1;
			if (!p.fault)
				abort();
		}
		i += n;
	}
	for (int k = 0; k < 3; k++) {
		if (p.seen[k] != seen[k] || p.len[k] != mlen[k] ||
		    (mlen[k] && memcmp(p.data[k], model[k], mlen[k]) != 0) ||
		    (p.data[k] && p.data[k][p.len[k]] != '\0'))
			abort();
		free(model[k]);
	}
	srv_parts_free(&p);
}

static void check_closing(const uint8_t *data, size_t size)
{
	struct srv_parts p;
	size_t blen = size ? data[0] % 24 : 0, i;
	char ct[128];

	if (size < 1 + blen)
		return;
	/* a Content-Type with the fuzzed boundary, quoted or not */
	snprintf(ct, sizeof(ct), blen % 2 ? "multipart/form-data; boundary=\"%.*s\"; x=y"
					  : "multipart/form-data; boundary=%.*s",
		 (int)blen, (const char *)data + 1);
	srv_parts_init(&p, NAMES, ct);
	i = 1 + blen;
	/* the body in chunks whose sizes come from the body itself */
	for (size_t at = i; at < size;) {
		size_t n = 1 + data[at] % 120;

		if (n > size - at)
			n = size - at;
		srv_parts_raw(&p, (const char *)data + at, n);
		at += n;
	}
	if ((srv_parts_finish(&p, 1) == SRV_PARTS_OK) !=
	    model_closed((const char *)data + i, size - i, p.boundary))
		abort();
	if (srv_parts_finish(&p, 0) == SRV_PARTS_OK)
		abort();
	srv_parts_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] & 0x80)
		check_parts(data + 1, size - 1);
	else
		check_closing(data, size);
	return 0;
}
