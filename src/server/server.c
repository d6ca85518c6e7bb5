/*
 * server.c - the HTTP layer of `p304 serve` over libmicrohttpd: a bounded
 * thread pool, loopback by default, Host and Origin checks, a 1 MiB body
 * limit, hardening headers on every response, the page's static files, and
 * /api/ handed to api.c. No HTTP parsing here: libmicrohttpd parses requests
 * and multipart bodies (MHD_create_post_processor).
 */
#include "server/server.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <pthread.h>
#include <time.h>

#include "format/fileutil.h"
#include "server/heavy.h"
#include "server/routes.h"
#include "gettext.h"

/* One connection as the guard sees it (docs/api.md, "Limits"). */
enum conn_state { WAIT_HEADERS, WAIT_BODY, BUSY };

struct tracked {
	struct tracked *prev, *next;
	int fd;
	uint32_t addr;          /* IPv4, network order */
	enum conn_state state;
	time_t since;
	int evicted;
};

struct srv {
	struct MHD_Daemon *d;
	struct srv_api *api;
	struct srv_heavy *heavy;
	unsigned heavy_n;
	char *webdir;
	char hosts[4][96];     /* Host values accepted (name:port) */
	size_t nhosts;
	/* the guard: every open connection, oldest first */
	pthread_mutex_t mu;
	struct tracked *head, *tail;
	size_t nconn;
	pthread_t reaper;
	int reaper_started;
	int stopping;
	pthread_cond_t stop_cv;
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
	const struct api_route *route;
	struct MHD_PostProcessor *pp;
	int multipart, bad_query;
	unsigned seen_query;   /* the route's query keys met, one bit each */
	struct srv_parts parts;
};

/* ------------------------------------------------------------------ */
/* The guard: deadlines and connection limits                           */
/* ------------------------------------------------------------------ */

/* libmicrohttpd's idle timeout is reset by every byte, so 260 clients
 * trickling a header line every 3 s held every slot (issue 19). Here a
 * connection has SRV_HEADER_S from its start (or from its previous answer)
 * to send its headers and SRV_BODY_S for its body, whatever it trickles;
 * the reaper shuts down the late ones (shutdown, not close: libmicrohttpd
 * still owns the descriptor and closes it, after NOTIFY_CLOSED, which takes
 * the same lock). */
static void set_state(struct srv *s, struct MHD_Connection *connection, enum conn_state st)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct tracked *t = ci ? ci->socket_context : NULL;

	if (!t)
		return;
	pthread_mutex_lock(&s->mu);
	t->state = st;
	t->since = time(NULL);
	pthread_mutex_unlock(&s->mu);
}

static void evict(struct tracked *t)
{
	t->evicted = 1;
	shutdown(t->fd, SHUT_RDWR);
}

static void notify_connection(void *cls, struct MHD_Connection *connection,
			      void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
	struct srv *s = cls;
	struct tracked *t = *socket_context;

	pthread_mutex_lock(&s->mu);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad =
			MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		if (fd && (t = calloc(1, sizeof(*t)))) {
			t->fd = fd->connect_fd;
			if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
				t->addr = ((const struct sockaddr_in *)(const void *)ad->client_addr)
						  ->sin_addr.s_addr;
			t->since = time(NULL);
			t->prev = s->tail;
			if (s->tail)
				s->tail->next = t;
			else
				s->head = t;
			s->tail = t;
			s->nconn++;
			*socket_context = t;
		}
	} else if (t) {
		if (t->prev)
			t->prev->next = t->next;
		else
			s->head = t->next;
		if (t->next)
			t->next->prev = t->prev;
		else
			s->tail = t->prev;
		s->nconn--;
		free(t);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&s->mu);
}

/* A new connection when the limits are reached: make room by closing the
 * oldest connection still waiting for its headers, else the oldest still
 * waiting for its body (of that address when the address is at its limit):
 * a request being computed or answered is never the one closed, and the
 * officer's own bodies (a few KiB) arrive in milliseconds, so an idle,
 * trickling or body-stalling crowd cannot lock the officer out. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct srv *s = cls;
	uint32_t a = 0;
	size_t live = 0, same = 0;
	enum MHD_Result ok = MHD_YES;

	if (addr && addrlen >= sizeof(struct sockaddr_in) && addr->sa_family == AF_INET)
		a = ((const struct sockaddr_in *)(const void *)addr)->sin_addr.s_addr;
	pthread_mutex_lock(&s->mu);
	for (struct tracked *t = s->head; t; t = t->next)
		if (!t->evicted) {
			live++;
			same += t->addr == a;
		}
	if (same >= SRV_PER_ADDRESS || live >= SRV_MAX_CONNECTIONS) {
		struct tracked *victim = NULL;

		/* the one waiting longest, for its headers or for its body: 200
		 * clients that sent headers and then trickled their body held
		 * every slot for 60 s; preferring any header-waiting one closed
		 * the officer's connection just opened instead of them */
		for (struct tracked *t = s->head; t; t = t->next)
			if (!t->evicted && t->state != BUSY &&
			    (same < SRV_PER_ADDRESS || t->addr == a) &&
			    (!victim || t->since < victim->since))
				victim = t;
		if (victim)
			evict(victim);
		else
			ok = MHD_NO;
	}
	pthread_mutex_unlock(&s->mu);
	return ok;
}

static void *reaper(void *arg)
{
	struct srv *s = arg;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		struct timespec ts;
		time_t now = time(NULL);

		for (struct tracked *t = s->head; t; t = t->next)
			if (!t->evicted &&
			    ((t->state == WAIT_HEADERS && now - t->since >= SRV_HEADER_S) ||
			     (t->state == WAIT_BODY && now - t->since >= SRV_BODY_S)))
				evict(t);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&s->stop_cv, &s->mu, &ts);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* libmicrohttpd decodes %00 to a NUL that cuts the address ("x%00y" saved
 * as "x"): the NUL becomes DEL, a byte no id or query value accepts. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *uri)
{
	size_t n;

	(void)cls;
	(void)c;
	n = MHD_http_unescape(uri);
	for (size_t i = 0; i < n; i++)
		if (uri[i] == '\0')
			uri[i] = '\x7f';
	return n;
}

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->pp)
		MHD_destroy_post_processor(c->pp);
	free(c->body);
	srv_parts_free(&c->parts);
	free(c);
}

static void completed(void *cls, struct MHD_Connection *connection, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	conn_free(*con_cls);
	*con_cls = NULL;
	set_state(cls, connection, WAIT_HEADERS);
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
	(void)content_type;
	(void)transfer_encoding;
	if (srv_parts_add(&c->parts, key, off, data, size) != 0)
		return MHD_NO;
	if (off == 0)
		srv_parts_filename(&c->parts, key, filename);
	return MHD_YES;
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

/* The French refusal of a multipart body (issue 19: nothing of a cut,
 * repeated or unknown part is ever used). */
static enum MHD_Result send_parts_fault(struct MHD_Connection *connection, struct conn *c)
{
	struct srv_reply rp = { 0 };
	char msg[400];
	const char *name = c->parts.fault_name;

	switch (c->parts.fault) {
	case SRV_PARTS_UNKNOWN:
		snprintf(msg, sizeof(msg), _("multipart body: unknown part '%s'; this address "
			 "takes only the parts named in docs/api.md"), name);
		break;
	case SRV_PARTS_DUPLICATE:
		snprintf(msg, sizeof(msg), _("multipart body: the part '%s' is sent twice; send "
			 "each part once"), name);
		break;
	case SRV_PARTS_UNNAMED:
		snprintf(msg, sizeof(msg), "%s", _("multipart body: a part has no name; expected "
			 "Content-Disposition: form-data; name=\"...\" with the name in quotes"));
		break;
	case SRV_PARTS_LF_ONLY:
		snprintf(msg, sizeof(msg), "%s", _("multipart body whose lines end with LF alone: "
			 "expected CRLF line ends (\\r\\n, RFC 2046): nothing was used"));
		break;
	case SRV_PARTS_TRUNCATED:
		snprintf(msg, sizeof(msg), "%s", _("multipart body cut before its closing "
			 "boundary (an interrupted upload?): nothing was used, send it again"));
		break;
	default:
		snprintf(msg, sizeof(msg), "%s", _("malformed multipart body"));
		break;
	}
	api_error(&rp, 400, "bad_request", msg, NULL, 0, name[0] ? name : NULL);
	return send_reply(connection, c, &rp);
}

/* The Allow of a 405 comes from the route table (api_route_find). */
static enum MHD_Result send_405(struct MHD_Connection *connection, struct conn *c,
				const char *allow)
{
	struct srv_reply rp = { 0 };

	api_error(&rp, 405, "method_not_allowed", _("method not allowed here"), NULL, 0, NULL);
	rp.allow = allow;
	return send_reply(connection, c, &rp);
}

static enum MHD_Result check_query_key(void *cls, enum MHD_ValueKind kind, const char *key,
				       const char *value)
{
	struct conn *c = cls;
	int i = key ? api_route_query(c->route, key) : -1;

	(void)kind;
	(void)value;
	if (i < 0)
		c->bad_query = 1;
	/* year=2024&year=2025: the first one won, and an import of 2024
	 * answered 200 to a request that also said 2025 */
	else if (c->seen_query & (1u << i))
		c->bad_query = 2;
	else
		c->seen_query |= 1u << i;
	return MHD_YES;
}

/* Headers whose second copy was ignored (the first one won): a request
 * that repeats one is read differently by whoever relays it (RFC 9112
 * 6.3: two Content-Length, or one with Transfer-Encoding, are an error). */
static const char *const SINGLE_HEADERS[] = {
	"Host", "Origin", "Content-Length", "Transfer-Encoding", "Content-Type",
	"Sec-Fetch-Site",
};
#define NSINGLE (sizeof(SINGLE_HEADERS) / sizeof(SINGLE_HEADERS[0]))

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	unsigned *n = cls;

	(void)kind;
	(void)value;
	for (size_t i = 0; key && i < NSINGLE; i++)
		if (strcasecmp(key, SINGLE_HEADERS[i]) == 0)
			n[i]++;
	return MHD_YES;
}

/* 1, with the reason in msg, when a header of SINGLE_HEADERS is repeated
 * or a body is framed both ways; else 0. */
static int headers_ambiguous(struct MHD_Connection *connection, char *msg, size_t size)
{
	unsigned n[NSINGLE] = { 0 };

	MHD_get_connection_values(connection, MHD_HEADER_KIND, count_header, n);
	for (size_t i = 0; i < NSINGLE; i++)
		if (n[i] > 1) {
			snprintf(msg, size, _("the header %s is sent %u times: send it once"),
				 SINGLE_HEADERS[i], n[i]);
			return 1;
		}
	if (n[2] && n[3]) {
		snprintf(msg, size, "%s", _("both Content-Length and Transfer-Encoding: a body "
			 "is delimited by one of them only"));
		return 1;
	}
	return 0;
}

/* First call: the request line and headers, before any byte of the body. */
static enum MHD_Result start_request(struct srv *s, struct MHD_Connection *connection,
				     struct conn *c, const char *url, const char *method)
{
	const char *host, *origin, *site, *clen, *ctype, *te;
	char allow[64];
	int api = strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0;

	host = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Host");
	origin = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin");
	site = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Sec-Fetch-Site");
	clen = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
	ctype = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type");
	te = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Transfer-Encoding");
	c->started = 1;
	{
		char msg[200];

		if (headers_ambiguous(connection, msg, sizeof(msg)))
			return send_error(connection, c, 400, "bad_request", msg);
	}
	if (te && strcasecmp(te, "chunked") != 0) {
		c->too_large = 1;   /* closes the connection: the body cannot be delimited */
		return send_error(connection, c, 501, "not_implemented",
			_("Transfer-Encoding other than chunked is not accepted"));
	}
	if (!host_ok(s, host))
		return send_error(connection, c, 421, "misdirected",
			_("this server answers only to its own address (Host header refused)"));
	if (api) {
		c->route = api_route_find(method, url, allow, sizeof(allow));
		/* a method no route has: 405 too, with every method the API uses */
		if (!c->route && !allow[0] && strcmp(method, "GET") && strcmp(method, "HEAD") &&
		    strcmp(method, "POST") && strcmp(method, "PUT"))
			snprintf(allow, sizeof(allow), "GET, POST, PUT");
		if (!c->route && allow[0])
			return send_405(connection, c, allow);
	} else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		return send_405(connection, c, "GET");
	}
	if (c->route) {
		MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, check_query_key, c);
		if (c->bad_query)
			return send_error(connection, c, 400, "bad_request", c->bad_query == 2 ?
				_("a query parameter is given twice: give each once") :
				_("unknown query parameter for this address (see docs/api.md)"));
	}
	if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		if (!origin_ok(s, origin) || (site && strcmp(site, "cross-site") == 0))
			return send_error(connection, c, 403, "forbidden",
				_("request from another site refused"));
		if (clen && strtoull(clen, NULL, 10) > SRV_MAX_BODY) {
			c->too_large = 1;
			return send_error(connection, c, 413, "too_large",
				_("request body too large, expected at most 1 MiB (a scenario is a few KiB)"));
		}
		if (ctype && strncasecmp(ctype, "multipart/form-data", 19) == 0) {
			if (!srv_parts_content_type_ok(ctype))
				return send_error(connection, c, 400, "bad_request",
					_("Content-Type multipart/form-data: expected exactly "
					  "\"multipart/form-data; boundary=VALUE\" (boundary in lower "
					  "case, once, unquoted, 1 to 70 letters, digits or '-_.', "
					  "nothing after it)"));
			c->multipart = 1;
			srv_parts_init(&c->parts, c->route ? c->route->parts : NULL, ctype);
			c->pp = MHD_create_post_processor(connection, 65536, post_iter, c);
			if (!c->pp)
				return send_error(connection, c, 400, "bad_request",
					_("malformed multipart body"));
		}
	}
	set_state(s, connection, WAIT_BODY);
	return MHD_YES;
}

static enum MHD_Result take_body(struct conn *c, const char *data, size_t n)
{
	if (c->done)
		return MHD_YES;
	c->total += n;
	if (c->total > SRV_MAX_BODY) {
		/* No Content-Length (chunked) or a false one: drop the rest,
		 * answer 413 at the end; far beyond, hang up. */
		c->too_large = 1;
		return c->total > 2 * SRV_MAX_BODY ? MHD_NO : MHD_YES;
	}
	if (c->too_large)
		return MHD_YES;
	if (c->multipart) {
		srv_parts_raw(&c->parts, data, n);
		if (!c->parts.fault && MHD_post_process(c->pp, data, n) != MHD_YES &&
		    !c->parts.fault)
			c->parts.fault = SRV_PARTS_MALFORMED;
		return MHD_YES;
	}
	return append(&c->body, &c->len, &c->cap, data, n) ? MHD_NO : MHD_YES;
}

static void run_api(struct srv *s, struct MHD_Connection *connection, struct conn *c,
		    const char *url, const char *method, struct srv_reply *rp)
{
	struct srv_request rq = {
		.method = method, .url = url, .route = c->route,
		.body = c->body ? c->body : "", .len = c->len,
		.multipart = c->multipart, .parts = c->multipart ? &c->parts : NULL,
	};

	if (c->route) {
		size_t n = strlen(c->route->path);

		if (n > 4 && strcmp(c->route->path + n - 4, "{id}") == 0)
			rq.id = url + n - 4;
		for (int i = 0; i < API_MAX_QUERY && c->route->query[i]; i++)
			rq.query[i] = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND,
								  c->route->query[i]);
	}
	if (c->route && c->route->heavy && s->heavy) {
		if (srv_heavy_run(s->heavy, s->api, &rq, rp) != 0) {
			char msg[300];

			/* "occupé par 1 calculs longs": a plural form (F8) */
			snprintf(msg, sizeof(msg), Q_("the server is busy with %u long computation "
				 "and %u waiting: try again in a moment", "the server is busy with "
				 "%u long computations and %u waiting: try again in a moment",
				 s->heavy_n), s->heavy_n, (unsigned)SRV_HEAVY_WAITING);
			api_error(rp, 503, "busy", msg, NULL, 0, NULL);
		}
		return;
	}
	api_handle(s->api, &rq, rp);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *connection, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct srv *s = cls;
	struct conn *c = *con_cls;
	struct srv_reply rp = { 0 };

	(void)version;
	if (!c) {
		if (!(c = calloc(1, sizeof(*c))))
			return MHD_NO;
		*con_cls = c;
		return start_request(s, connection, c, url, method);
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		return take_body(c, upload_data, n);
	}
	if (c->done)
		return MHD_YES;
	set_state(s, connection, BUSY);
	if (c->too_large)
		return send_error(connection, c, 413, "too_large",
				  _("request body too large, expected at most 1 MiB (a scenario is a few KiB)"));
	if (c->multipart) {
		int complete = MHD_destroy_post_processor(c->pp) == MHD_YES;

		c->pp = NULL;
		if (srv_parts_finish(&c->parts, complete) != SRV_PARTS_OK)
			return send_parts_fault(connection, c);
	}
	if (strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0)
		run_api(s, connection, c, url, method, &rp);
	else
		serve_static(s, url, &rp);
	return send_reply(connection, c, &rp);
}

/*
 * glibc gives a new thread a malloc arena of its own, up to 8 per core, and
 * keeps each arena's freed pages: with a thread per connection the server's
 * resident memory climbed 4 MiB over 50 000 requests before levelling off
 * (the load test; valgrind saw no leak). Two arenas keep it to about 1 to
 * 2.3 MiB; one keeps it flat but serialises every allocation: 16
 * connections then fell from ~3 000 to ~560 requests/s (serve-bench,
 * 2026-12-06). Set before the first thread starts.
 */
static void limit_malloc_arenas(void)
{
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 2);
#endif
}

p304_code srv_start(const struct srv_config *cfg, srv **out, unsigned *port,
		    p304_error *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct srv *s;
	const union MHD_DaemonInfo *info;
	p304_code rc;

	*out = NULL;
	limit_malloc_arenas();
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
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->stop_cv, NULL);
	s->heavy_n = cfg->heavy ? cfg->heavy : SRV_HEAVY_DEFAULT;
	if ((rc = api_load(&s->api, cfg, err)) != P304_OK) {
		srv_stop(s);
		return rc;
	}
	if (!(s->heavy = srv_heavy_start(s->heavy_n, SRV_HEAVY_WAITING)) ||
	    pthread_create(&s->reaper, NULL, reaper, s) != 0) {
		srv_stop(s);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "cannot start threads");
	}
	s->reaper_started = 1;
	/* A thread per connection: a request never waits behind another's
	 * computation (with a pool of 4, one sweep stalled every connection
	 * of its thread); the heavy ones queue in heavy.c instead. The hard
	 * limit is above the guard's so an evicted connection still closing
	 * never takes the officer's place. */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
				MHD_USE_POLL,
		0, accept_policy, s, handler, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(2 * SRV_MAX_CONNECTIONS),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SRV_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(2 << 20),
		MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, notify_connection, s,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
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
	if (s->reaper_started) {
		pthread_mutex_lock(&s->mu);
		s->stopping = 1;
		pthread_cond_signal(&s->stop_cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->reaper, NULL);
	}
	srv_heavy_stop(s->heavy);
	api_free(s->api);
	pthread_cond_destroy(&s->stop_cv);
	pthread_mutex_destroy(&s->mu);
	free(s->webdir);
	free(s);
}
