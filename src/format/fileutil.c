/*
 * fileutil.c - reading whole files with one message per problem, and paths
 * relative to the scenario file.
 */
#include "format/fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <limits.h>
#include <unistd.h>
#include "gettext.h"

#include "gettext.h"

/* Input files larger than this are refused: 2 GiB is far above any table. */
#define MAX_INPUT_BYTES ((size_t)2 << 30)

/* "/abs/dir/name" for `path` as open() resolves it, for messages: the
 * folder through realpath when it exists, else joined to the working folder. */
void p304_path_resolved(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash) {
		size_t dl = (size_t)(slash - path);

		snprintf(dir, sizeof(dir), "%.*s", (int)(dl ? dl : 1), path);
		if (realpath(dir, real)) {
			snprintf(out, size, "%s/%s", strcmp(real, "/") ? real : "", slash + 1);
			return;
		}
		if (path[0] == '/') {
			snprintf(out, size, "%s", path);
			return;
		}
	}
	if (!getcwd(real, sizeof(real))) {
		snprintf(out, size, "%s", path);
		return;
	}
	snprintf(out, size, "%s/%s", real, path);
}

/* Opens `path` for reading without blocking (a FIFO has no writer and would
 * hang every command) and refuses what is not a regular file. */
static p304_code open_regular(const char *path, int *fdp, struct stat *st, p304_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*fdp = -1;
	if (fd < 0) {
		char where[PATH_MAX + 64];

		if (errno == ENOENT) {
			p304_path_resolved(path, where, sizeof(where));
			return p304_error_set(err, P304_ERR_IO, path, 0,
					      _("file not found (looked for %s)"), where);
		}
		return p304_error_set(err, P304_ERR_IO, path, 0,
				      _("cannot open: %s"), strerror(errno));
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		int is_dir = S_ISDIR(st->st_mode);

		close(fd);
		return p304_error_set(err, P304_ERR_IO, path, 0, _("%s, expected a file"),
				      is_dir ? _("is a directory")
				      : _("is not a regular file (a pipe, device or socket)"));
	}
	/* A regular file: blocking reads again. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		close(fd);
		return p304_error_set(err, P304_ERR_IO, path, 0, _("cannot open: %s"), strerror(errno));
	}
	*fdp = fd;
	return P304_OK;
}

FILE *p304_open_regular(const char *path, p304_error *err)
{
	struct stat st;
	int fd;
	FILE *fp;

	if (open_regular(path, &fd, &st, err) != P304_OK)
		return NULL;
	if (!(fp = fdopen(fd, "rb"))) {
		close(fd);
		p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	}
	return fp;
}

p304_code p304_read_file(const char *path, char **buf, size_t *len,
			 p304_error *err)
{
	struct stat st;
	int fd;
	char *b;
	size_t got = 0;
	p304_code rc;

	*buf = NULL;
	*len = 0;
	if ((rc = open_regular(path, &fd, &st, err)) != P304_OK)
		return rc;
	if ((size_t)st.st_size > MAX_INPUT_BYTES) {
		close(fd);
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
				      _("file is larger than 2 GiB"));
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			close(fd);
			return p304_error_set(err, P304_ERR_IO, path, 0,
					      _("cannot read: %s"), strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	b[got] = '\0';
	*buf = b;
	*len = got;
	return P304_OK;
}

/* Names the first folder of `path` that does not exist (issue 21: the
 * officer sees which part of the path to fix), when one does not. */
static void missing_folder(p304_error *err, const char *path)
{
	char dir[4096], gone[4096] = "";
	char *s;
	size_t used;

	snprintf(dir, sizeof(dir), "%s", path);
	if (!(s = strrchr(dir, '/')))
		return;
	*s = '\0';
	while (dir[0] && access(dir, F_OK) != 0) {
		snprintf(gone, sizeof(gone), "%s", dir);
		if (!(s = strrchr(dir, '/')))
			break;
		*s = '\0';
	}
	if (!gone[0])
		return;
	used = strlen(err->message);
	snprintf(err->message + used, sizeof(err->message) - used,
		 _("; the folder %s does not exist"), gone);
}

p304_code p304_note_scenario_relative(p304_error *err, const char *path,
				      const char *scenario_path)
{
	size_t used;
	const char *slash;

	if (!err || err->code != P304_ERR_IO || !path || !scenario_path || path[0] == '/')
		return err ? err->code : P304_OK;
	if (access(path, F_OK) == 0 || (errno != ENOENT && errno != ENOTDIR))
		return err->code;
	used = strlen(err->message);
	slash = strrchr(scenario_path, '/');
	snprintf(err->message + used, sizeof(err->message) - used,
		 _("; paths written in %s are relative to its folder"),
		 slash ? slash + 1 : scenario_path);
	missing_folder(err, path);
	return err->code;
}

char *p304_path_relative_to(const char *base_file, const char *rel)
{
	const char *slash;
	char *out;
	size_t dirlen;

	if (rel[0] == '/' || !(slash = strrchr(base_file, '/')))
		return strdup(rel);
	dirlen = (size_t)(slash - base_file);
	out = malloc(dirlen + 1 + strlen(rel) + 1);
	if (!out)
		return NULL;
	memcpy(out, base_file, dirlen);
	out[dirlen] = '/';
	strcpy(out + dirlen + 1, rel);
	/* No textual ".." folding: "sub/../x.csv" is what open() resolves
	 * through "sub" (a symbolic link may point anywhere). */
	return out;
}

int p304_scratch_open(p304_scratch *s, const char *tag)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/p304-%.20s-XXXXXX", tag);
	s->open = mkdtemp(s->dir) != NULL;
	return s->open ? 0 : -1;
}

char *p304_scratch_path(const p304_scratch *s, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", s->dir, name);
	return buf;
}

void p304_scratch_close(p304_scratch *s)
{
	DIR *d;
	struct dirent *e;
	char path[PATH_MAX];

	if (!s->open)
		return;
	s->open = 0;
	if ((d = opendir(s->dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			struct stat st;

			p304_scratch_path(s, e->d_name, path, sizeof(path));
			/* regular files only: what p304 and pandoc wrote there */
			if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
				unlink(path);
		}
		closedir(d);
	}
	rmdir(s->dir);
}

p304_code p304_copy_file_to(const void *path, FILE *fp, p304_error *err)
{
	FILE *in = fopen(path, "rb");
	char buf[65536];
	size_t n;
	int bad = 0;

	if (!in)
		return p304_error_set(err, P304_ERR_IO, path, 0, _("cannot read"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad |= fwrite(buf, 1, n, fp) != n;
	fclose(in);
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
