/*
 * gnuplot.c - runs gnuplot as a child process: argument vector, script on
 * its standard input through a pipe, its messages read back for errors.
 * Never a shell, so nothing in a file name or a title can run a command.
 * The image goes to a temporary file beside the target, is checked whole
 * (a full disk leaves a truncated image and gnuplot says nothing), synced,
 * then renamed into place; an existing file is replaced only if it is a
 * chart of the same format (or on request), never one of the inputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chart_priv.h"
#include "gettext.h"

extern char **environ;

p304_code gnuplot_run(const char *script, size_t len, p304_error *err)
{
	int in[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0;
	posix_spawn_file_actions_t fa;
	char *const argv[] = { "gnuplot", NULL };
	char msg[512] = "";
	size_t off = 0;
	pid_t pid;
	int rc;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0)
		goto io;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(errp[1]);
	in[0] = errp[1] = -1;
	if (rc != 0) {
		close(in[1]);
		close(errp[0]);
		if (rc == ENOENT)
			return p304_error_set(err, P304_ERR_DEPENDENCY, NULL, 0,
				_("gnuplot is not installed; charts need it: "
				"apt-get install gnuplot-nox (everything else works without it)"));
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot run gnuplot: %s"),
				      strerror(rc));
	}
	/* gnuplot may die early: do not let SIGPIPE kill us */
	signal(SIGPIPE, SIG_IGN);
	while (off < len) {
		ssize_t w = write(in[1], script + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	status = ch_child_finish(pid, errp[0], msg, sizeof(msg));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || off < len) {
		for (char *p = msg; *p; p++)
			if (*p == '\n' && p[1])
				*p = ' ';
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
				      _("gnuplot failed: %.300s"), msg[0] ? msg : _("no message"));
	}
	return P304_OK;
io:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot create a pipe: %s"), strerror(errno));
}

/* Text from a file in a gnuplot script. gnuplot 5.4 misreads a doubled
 * quote at the start of a single-quoted string ('''x'' y' fails with
 * "unexpected or unrecognized token": issue 12), so an apostrophe is never
 * written inside one: it is the string "\047" joined with '.', as in
 * "\047".'Hypothèse haute'."\047".' 2025' (an octal escape: a quote
 * character inside a double-quoted string makes gnuplot's @macro scanner
 * lose track of the quotes and expand an @name of the title). Single-quoted
 * strings take a backslash literally and are never searched for `command`
 * or @macro; control
 * characters (a newline in a title) become spaces. The terminals run
 * noenhanced, so @ ^ _ ~ { } print as they are. */
void sb_quote(struct sbuf *b, const char *t)
{
	int open = 0, any = 0;

	for (; t && *t; t++) {
		unsigned char c = (unsigned char)*t;

		if (c == '\'') {
			sb_printf(b, "%s%s\"\\047\"", open ? "'" : "", any ? "." : "");
			open = 0;
			any = 1;
			continue;
		}
		if (!open)
			sb_printf(b, "%s'", any ? "." : "");
		open = any = 1;
		sb_printf(b, "%c", c < 0x20 || c == 0x7f ? ' ' : c);
	}
	if (open)
		sb_printf(b, "'");
	else if (!any)
		sb_printf(b, "''");
}

void sb_token(struct sbuf *b, const char *t)
{
	/* a space becomes U+00A0 (gnuplot splits data on ASCII blanks only) */
	sb_printf(b, "\"");
	for (; t && *t; t++) {
		if (*t == ' ')
			sb_printf(b, "\xC2\xA0");
		else if (*t == '"')
			sb_printf(b, "'");
		else if ((unsigned char)*t > ' ' && *t != 0x7f)
			sb_printf(b, "%c", *t);
	}
	sb_printf(b, "\"");
}

/* A tic label: gnuplot reads a label of `set xtics ("label" pos)` as a
 * format, so a percent sign is doubled. Into buf (cut at size). */
const char *ch_tic_text(char *buf, size_t size, const char *t)
{
	size_t o = 0;

	for (; t && *t && o + 2 < size; t++) {
		if (*t == '%')
			buf[o++] = '%';
		buf[o++] = *t;
	}
	buf[o] = '\0';
	return buf;
}

static const char *const format_names[] = { "PNG", "SVG", "PDF" };

p304_code p304_chart_format_of(const char *path, p304_chart_format *format)
{
	static const char *const ext[] = { ".png", ".svg", ".pdf" };
	size_t len = strlen(path);

	for (int f = 0; f < 3; f++)
		if (len > 4 && !strcasecmp(path + len - 4, ext[f]) &&
		    path[len - 5] != '/') {
			*format = (p304_chart_format)f;
			return P304_OK;
		}
	return P304_ERR_USAGE;
}

/* Does the file at fd start as a `format` image: PNG and PDF by their
 * signature, SVG by its <svg element near the start. */
static int is_chart(int fd, p304_chart_format format)
{
	char head[1024];
	ssize_t n = pread(fd, head, sizeof(head) - 1, 0);

	if (n < 0)
		return 0;
	head[n] = '\0';
	switch (format) {
	case P304_FORMAT_PNG: return n >= 8 && !memcmp(head, "\x89PNG\r\n\x1a\n", 8);
	case P304_FORMAT_PDF: return n >= 5 && !memcmp(head, "%PDF-", 5);
	case P304_FORMAT_SVG: return memchr(head, '\0', (size_t)n) == NULL && strstr(head, "<svg") != NULL;
	}
	return 0;
}

/* Does the image at fd end as a complete one: PNG's IEND chunk, PDF's
 * %%EOF, SVG's </svg>. A full disk truncates it. */
static int is_whole(int fd, p304_chart_format format)
{
	char tail[64];
	struct stat st;
	ssize_t n;
	off_t from;

	if (fstat(fd, &st) != 0 || st.st_size < 16)
		return 0;
	from = st.st_size > (off_t)sizeof(tail) - 1 ? st.st_size - (off_t)sizeof(tail) + 1 : 0;
	n = pread(fd, tail, sizeof(tail) - 1, from);
	if (n <= 0)
		return 0;
	tail[n] = '\0';
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' '))
		tail[--n] = '\0';
	switch (format) {
	case P304_FORMAT_PNG: return n >= 12 && !memcmp(tail + n - 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12);
	case P304_FORMAT_PDF: return n >= 5 && !memcmp(tail + n - 5, "%%EOF", 5);
	case P304_FORMAT_SVG: return n >= 6 && !memcmp(tail + n - 6, "</svg>", 6);
	}
	return 0;
}

/* Is `path` the same file as `input`? */
static int same_file(const struct stat *st, const char *input)
{
	struct stat in;

	return input && stat(input, &in) == 0 && in.st_dev == st->st_dev && in.st_ino == st->st_ino;
}

/* May the chart be written to `target`: not an input, not a folder or a
 * device, and an existing file only if it is a chart of the same format
 * (or req->force). */
static p304_code check_target(const p304_chart_request *req, const char *target, p304_error *err)
{
	struct stat st;
	int fd, chart;

	if (stat(target, &st) != 0)
		return P304_OK;
	if (same_file(&st, req->result_path) || same_file(&st, req->tiles_path) ||
	    same_file(&st, req->contours_path))
		return p304_error_set(err, P304_ERR_IO, req->out_path, 0,
			_("is one of the files the chart is drawn from; choose another -o"));
	if (!S_ISREG(st.st_mode))
		return p304_error_set(err, P304_ERR_IO, req->out_path, 0,
			_("exists and is not a regular file, expected an image file to write"));
	if (st.st_size == 0 || req->force)
		return P304_OK;
	fd = open(target, O_RDONLY | O_CLOEXEC);
	chart = fd >= 0 && is_chart(fd, req->format);
	if (fd >= 0)
		close(fd);
	if (!chart)
		return p304_error_set(err, P304_ERR_IO, req->out_path, 0,
			_("exists and is not a %s chart; choose another -o, or add --force to replace it"),
			format_names[req->format]);
	return P304_OK;
}

p304_code p304_chart_render(const p304_chart_request *req, p304_error *err)
{
	char *script = NULL, *tmp = NULL, real[PATH_MAX];
	const char *target = req->out_path;
	struct stat st;
	p304_code rc;
	int fd;

	/* -o LINK: the file the link points to is replaced, the link kept */
	if (lstat(target, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!realpath(target, real))
			return p304_error_set(err, P304_ERR_IO, req->out_path, 0,
				_("is a symbolic link to a file that cannot be reached (%s)"),
				strerror(errno));
		target = real;
	}
	if ((rc = check_target(req, target, err)) != P304_OK)
		return rc;
	/* drawn into a temporary file beside the target, then renamed */
	if (asprintf(&tmp, "%s.tmp-XXXXXX", target) < 0)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if ((fd = mkstemp(tmp)) < 0) {
		rc = p304_error_set(err, P304_ERR_IO, req->out_path, 0, _("cannot write: %s"), strerror(errno));
		free(tmp);
		return rc;
	}
	{
		/* mkstemp makes 0600; an image is an ordinary file (umask) */
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if ((rc = p304_chart_script(req, tmp, &script, err)) == P304_OK &&
	    (rc = gnuplot_run(script, strlen(script), err)) == P304_OK) {
		struct statvfs vfs;

		if (!is_whole(fd, req->format)) {
			int full = fstatvfs(fd, &vfs) == 0 && vfs.f_bavail == 0;

			rc = p304_error_set(err, P304_ERR_IO, req->out_path, 0,
				_("cannot write: %s"), full ? strerror(ENOSPC)
				: _("the image gnuplot wrote is incomplete"));
		} else if (fsync(fd) != 0) {
			rc = p304_error_set(err, P304_ERR_IO, req->out_path, 0,
					    _("cannot write: %s"), strerror(errno));
		} else if (rename(tmp, target) != 0) {
			rc = p304_error_set(err, P304_ERR_IO, req->out_path, 0,
					    _("cannot write: %s"), strerror(errno));
		}
	}
	close(fd);
	if (rc != P304_OK)
		unlink(tmp);
	free(tmp);
	free(script);
	return rc;
}

int ch_child_finish(pid_t pid, int errfd, char *msg, size_t size)
{
	size_t got = 0;
	int status = 0;

	for (;;) {
		ssize_t r = read(errfd, msg + got, size - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == size - 1) {
			char sink[256];

			while (read(errfd, sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	msg[got] = '\0';
	close(errfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}
