/*
 * server.c - the HTTP layer of `p304 serve` over libmicrohttpd: a bounded
 * thread pool, loopback by default, Host and Origin checks, an 8 MiB body
 * limit, hardening headers on every response, the page's static files, and
 * /api/ handed to api.c. No HTTP parsing here: libmicrohttpd parses requests
 * and multipart bodies (MHD_create_post_processor).
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "format/fileutil.h"
#include "gettext.h"

struct srv {
	struct MHD_Daemon *d;
	struct srv_api *api;
	char *webdir;
	char hosts[4][96];     /* Host values accepted (name:port) */
	size_t nhosts;
};

static const char CSP[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'";

/* Per-request state, from the first call of the handler to the end. */
struct conn {
	int started;           /* the request line and headers were checked */
	int done;              /* a response is queued */
	int too_large;
	size_t total;          /* bytes received */
	char *body;
	size_t len, cap;
	struct MHD_PostProcessor *pp;
	int multipart, bad_multipart;
	char *part[3];
	size_t part_len[3], part_cap[3];
	int part_seen[3];
};

static const char *const PART_NAMES[3] = { "scenario", "needs", "caps" };

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	free(c->body);
	for (int i = 0; i < 3; i++)
		free(c->part[i]);
	free(c);
}

static void completed(void *cls, struct MHD_Connection *connection, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)connection;
	(void)toe;
	conn_free(*con_cls);
	*con_cls = NULL;
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *p;

		while (nc < *len + n + 1)
			nc *= 2;
		if (!(p = realloc(*buf, nc)))
			return -1;
		*buf = p;
		*cap = nc;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *filename, const char *content_type,
				 const char *transfer_encoding, const char *data,
				 uint64_t off, size_t size)
{
	struct conn *c = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	(void)off;
	for (int i = 0; i < 3; i++) {
		if (!key || strcmp(key, PART_NAMES[i]))
			continue;
		c->part_seen[i] = 1;
		if (size && append(&c->part[i], &c->part_len[i], &c->part_cap[i], data, size)) {
			c->bad_multipart = 1;
			return MHD_NO;
		}
		if (!c->part[i] && append(&c->part[i], &c->part_len[i], &c->part_cap[i], "", 0)) {
			c->bad_multipart = 1;
			return MHD_NO;
		}
	}
	return MHD_YES;   /* other parts are ignored */
}

static void add_headers(struct MHD_Response *r)
{
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
}

static enum MHD_Result send_reply(struct MHD_Connection *connection, struct conn *c,
				  struct srv_reply *rp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	c->done = 1;
	if (!rp->body) {
		rp->body = strdup("");
		rp->len = 0;
	}
	r = MHD_create_response_from_buffer(rp->len, rp->body ? rp->body : "",
					    rp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(rp->body);
		free(rp->filename);
		return MHD_NO;
	}
	add_headers(r);
	MHD_add_response_header(r, "Content-Type", rp->type ? rp->type : "application/json");
	if (rp->allow)
		MHD_add_response_header(r, "Allow", rp->allow);
	if (rp->filename) {
		char cd[400];

		/* ASCII fallback name and the UTF-8 one (RFC 6266) */
		snprintf(cd, sizeof(cd), "attachment; filename=\"%s\"", rp->filename);
		MHD_add_response_header(r, "Content-Disposition", cd);
		free(rp->filename);
	}
	if (rp->status >= 400 && c->started && (c->too_large || !c->body))
		MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(connection, rp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *connection, struct conn *c,
				  unsigned status, const char *code, const char *message)
{
	struct srv_reply rp = { 0 };

	api_error(&rp, status, code, message, NULL, 0, NULL);
	return send_reply(connection, c, &rp);
}

static int host_ok(const struct srv *s, const char *host)
{
	if (!host)
		return 0;
	for (size_t i = 0; i < s->nhosts; i++)
		if (strcasecmp(host, s->hosts[i]) == 0)
			return 1;
	return 0;
}

static int origin_ok(const struct srv *s, const char *origin)
{
	if (!origin)
		return 1;   /* not a browser: curl, scripts on this machine */
	if (strncmp(origin, "http://", 7) != 0)
		return 0;
	return host_ok(s, origin + 7);
}

/* ------------------------------------------------------------------ */
/* Static files of the page                                             */
/* ------------------------------------------------------------------ */

static const char *mime_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".woff2", "font/woff2" },
		{ ".woff", "font/woff" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".csv", "text/csv; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* Only [A-Za-z0-9._/-], no empty, "." or ".." segment, no hidden file. */
static int static_path_ok(const char *p)
{
	const char *seg = p;

	if (!*p || strlen(p) > 200 || strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789._/-") != strlen(p))
		return 0;
	for (;;) {
		const char *end = strchr(seg, '/');
		size_t n = end ? (size_t)(end - seg) : strlen(seg);

		if (n == 0 || seg[0] == '.')
			return 0;
		if (!end)
			return 1;
		seg = end + 1;
	}
}

static void serve_static(const struct srv *s, const char *url, struct srv_reply *rp)
{
	char path[4096];
	const char *rel = url + 1, *type;
	char *data;
	size_t len;
	p304_error err;

	if (!*rel)
		rel = "index.html";
	if (!static_path_ok(rel) || !(type = mime_type(rel))) {
		api_error(rp, 404, "not_found", _("no such page"), NULL, 0, NULL);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", s->webdir, rel);
	if (p304_read_file(path, &data, &len, &err) != P304_OK) {
		api_error(rp, 404, "not_found", _("no such page"), NULL, 0, NULL);
		return;
	}
	rp->status = 200;
	rp->body = data;
	rp->len = len;
	rp->type = type;
}

/* ------------------------------------------------------------------ */
/* The handler                                                          */
/* ------------------------------------------------------------------ */

static const char *allowed_methods(const char *url)
{
	if (strcmp(url, "/api/scenarios") == 0 || strcmp(url, "/api/tables") == 0 ||
	    strcmp(url, "/api/contours") == 0)
		return "GET";
	if (strncmp(url, "/api/scenarios/", 15) == 0)
		return "GET, PUT";
	if (strcmp(url, "/api/allocate") == 0 || strcmp(url, "/api/compare") == 0 ||
	    strcmp(url, "/api/reconcile") == 0 || strcmp(url, "/api/sweep") == 0 ||
	    strcmp(url, "/api/export") == 0 || strcmp(url, "/api/note") == 0)
		return "POST";
	return "GET";   /* the page, and unknown addresses (404) */
}

static int method_in(const char *method, const char *allow)
{
	const char *p = strstr(allow, method);
	size_t n = strlen(method);

	if (strcmp(method, "HEAD") == 0)
		return strstr(allow, "GET") != NULL;
	return p && (p == allow || p[-1] == ' ') && (p[n] == '\0' || p[n] == ',');
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *connection, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct srv *s = cls;
	struct conn *c = *con_cls;

	(void)version;
	if (!c) {
		const char *host, *origin, *site, *clen, *ctype, *allow;

		if (!(c = calloc(1, sizeof(*c))))
			return MHD_NO;
		*con_cls = c;
		c->started = 1;
		host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Host");
		origin = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin");
		site = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Sec-Fetch-Site");
		clen = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
		ctype = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type");
		if (!host_ok(s, host))
			return send_error(connection, c, 421, "misdirected",
				_("this server answers only to its own address (Host header refused)"));
		allow = allowed_methods(url);
		if (!method_in(method, allow)) {
			struct srv_reply rp = { .allow = allow };

			api_error(&rp, 405, "method_not_allowed", _("method not allowed here"),
				  NULL, 0, NULL);
			rp.allow = allow;
			return send_reply(connection, c, &rp);
		}
		if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
			if (!origin_ok(s, origin) || (site && strcmp(site, "cross-site") == 0))
				return send_error(connection, c, 403, "forbidden",
					_("request from another site refused"));
			if (clen && strtoull(clen, NULL, 10) > SRV_MAX_BODY) {
				c->too_large = 1;
				return send_error(connection, c, 413, "too_large",
					_("request body too large, expected at most 8 MiB"));
			}
			if (ctype && strncasecmp(ctype, "multipart/form-data", 19) == 0) {
				c->multipart = 1;
				c->pp = MHD_create_post_processor(connection, 65536, post_iter, c);
				if (!c->pp)
					return send_error(connection, c, 400, "bad_request",
						_("malformed multipart body"));
			}
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (c->done)
			return MHD_YES;
		c->total += n;
		if (c->total > SRV_MAX_BODY) {
			/* No Content-Length (chunked) or a false one: drop the
			 * rest, answer 413 at the end; far beyond, hang up. */
			c->too_large = 1;
			return c->total > 2 * SRV_MAX_BODY ? MHD_NO : MHD_YES;
		}
		if (c->too_large)
			return MHD_YES;
		if (c->multipart) {
			if (!c->bad_multipart && MHD_post_process(c->pp, upload_data, n) != MHD_YES)
				c->bad_multipart = 1;
		} else if (append(&c->body, &c->len, &c->cap, upload_data, n)) {
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (c->done)
		return MHD_YES;
	if (c->too_large)
		return send_error(connection, c, 413, "too_large",
				  _("request body too large, expected at most 8 MiB"));
	if (c->multipart && c->bad_multipart)
		return send_error(connection, c, 400, "bad_request", _("malformed multipart body"));
	{
		struct srv_reply rp = { 0 };

		if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0) {
			struct srv_request rq = {
				.method = method, .url = url,
				.query_format = MHD_lookup_connection_value(connection,
						MHD_GET_ARGUMENT_KIND, "format"),
				.query_kind = MHD_lookup_connection_value(connection,
						MHD_GET_ARGUMENT_KIND, "kind"),
				.body = c->body ? c->body : "", .len = c->len,
				.multipart = c->multipart,
			};

			for (int i = 0; i < 3; i++) {
				rq.part[i] = c->part[i];
				rq.part_len[i] = c->part_len[i];
				rq.part_seen[i] = c->part_seen[i];
			}
			api_handle(s->api, &rq, &rp);
		} else {
			serve_static(s, url, &rp);
		}
		return send_reply(connection, c, &rp);
	}
}

p304_code srv_start(const struct srv_config *cfg, srv **out, unsigned *port,
		    p304_error *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct srv *s;
	const union MHD_DaemonInfo *info;
	p304_code rc;

	*out = NULL;
	if (inet_pton(AF_INET, cfg->listen, &sin.sin_addr) != 1)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("--listen takes an IPv4 address such as 127.0.0.1, not '%s'"), cfg->listen);
	if (cfg->port > 65535)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("--port takes 0 to 65535"));
	sin.sin_port = htons((uint16_t)cfg->port);
	if (!(s = calloc(1, sizeof(*s))) || !(s->webdir = strdup(cfg->webdir))) {
		free(s);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
	}
	if ((rc = api_load(&s->api, cfg->datadir, cfg->workspace, err)) != P304_OK) {
		srv_stop(s);
		return rc;
	}
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL,
		0, NULL, NULL, handler, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)SRV_THREADS,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SRV_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SRV_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		MHD_OPTION_END);
	if (!s->d) {
		int e = errno;

		srv_stop(s);
		return p304_error_set(err, P304_ERR_IO, NULL, 0,
			_("cannot listen on %s:%u: %s (is another p304 serve running? try --port)"),
			cfg->listen, cfg->port, strerror(e));
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : cfg->port;
	snprintf(s->hosts[s->nhosts++], sizeof(s->hosts[0]), "%s:%u", cfg->listen, *port);
	if (strcmp(cfg->listen, "127.0.0.1") == 0) {
		snprintf(s->hosts[s->nhosts++], sizeof(s->hosts[0]), "localhost:%u", *port);
		snprintf(s->hosts[s->nhosts++], sizeof(s->hosts[0]), "[::1]:%u", *port);
	}
	*out = s;
	return P304_OK;
}

void srv_stop(srv *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	api_free(s->api);
	free(s->webdir);
	free(s);
}
