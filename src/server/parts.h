/*
 * parts.h - the parts of a multipart/form-data body, as the server keeps
 * them (issue 19). libmicrohttpd cuts the body into parts and calls back
 * with (name, offset, bytes); this collector owns what is accepted: only the
 * route's part names, each at most once, nothing used until the body was
 * seen to end with its closing boundary. No libmicrohttpd here, so the
 * fuzz harness (test/fuzz/fuzz_parts.c) drives it directly.
 */
#ifndef P304_SERVER_PARTS_H
#define P304_SERVER_PARTS_H

#include <stddef.h>
#include <stdint.h>

#define SRV_MAX_PARTS 4

/* Why a body is refused (0 = none so far). */
enum srv_parts_fault {
	SRV_PARTS_OK = 0,
	SRV_PARTS_UNKNOWN,     /* a part whose name the route does not take */
	SRV_PARTS_DUPLICATE,   /* a part sent twice */
	SRV_PARTS_TRUNCATED,   /* no closing boundary: the body was cut */
	SRV_PARTS_MALFORMED,   /* libmicrohttpd could not parse it */
	SRV_PARTS_NOMEM,
	SRV_PARTS_UNNAMED,     /* a part without name="..." */
	SRV_PARTS_LF_ONLY,     /* lines end with LF alone, not CRLF: not read */
};

struct srv_parts {
	const char *const *names;   /* the route's part names, NULL-terminated (not owned) */
	char *data[SRV_MAX_PARTS];  /* NUL-terminated, malloc'd */
	size_t len[SRV_MAX_PARTS], cap[SRV_MAX_PARTS];
	int seen[SRV_MAX_PARTS];
	/* the name of the file the officer uploaded ("besoins-2026.csv"), ""
	 * when none was given: messages name it rather than the part's own
	 * name (besoins.csv), which the officer never gave */
	char filename[SRV_MAX_PARTS][256];
	enum srv_parts_fault fault;
	char fault_name[64];        /* the part at fault */
	/* the closing-boundary check */
	char boundary[80];          /* "--" + boundary, or "" when none could be read */
	char tail[96];              /* the last bytes of the raw body */
	size_t tail_len;
	int crlf;                   /* a CRLF was seen in the body */
	char last;                  /* the last raw byte, for a CRLF across calls */
};

/* 1 when a multipart Content-Type is "multipart/form-data; boundary=B"
 * exactly (B: 1 to 70 characters of RFC 2046 without space or quotes, up to
 * the end), the one form libmicrohttpd and this file read the same way:
 * libmicrohttpd takes everything after the first "boundary=" (case
 * sensitive, "xboundary=" too), this file the parameter. Else 0. */
int srv_parts_content_type_ok(const char *content_type);
/* Starts collecting for a route taking `names`; reads the boundary from the
 * Content-Type value (NULL or no boundary: the body will be TRUNCATED). */
void srv_parts_init(struct srv_parts *p, const char *const *names, const char *content_type);
/* One callback of the multipart parser: `size` bytes at offset `off` of
 * part `name`. Returns 0, or -1 with p->fault set (then stop feeding). */
int srv_parts_add(struct srv_parts *p, const char *name, uint64_t off, const char *data,
		  size_t size);
/* Records the uploaded file name of part `name` (NULL: none); kept only
 * when it is short UTF-8 text without a control character, and cut to its
 * last path component (old browsers sent C:\\...\\besoins.csv). */
void srv_parts_filename(struct srv_parts *p, const char *name, const char *filename);
/* Every raw byte of the body, in order (for the closing boundary). */
void srv_parts_raw(struct srv_parts *p, const char *data, size_t size);
/* End of the body: `parser_complete` is libmicrohttpd's verdict
 * (MHD_destroy_post_processor said YES). Returns the fault, if any. */
enum srv_parts_fault srv_parts_finish(struct srv_parts *p, int parser_complete);
/* Index of part `name` in the route's names, or -1. */
int srv_parts_index(const struct srv_parts *p, const char *name);
void srv_parts_free(struct srv_parts *p);

#endif
