/*
 * fileutil.c - reading whole files with one message per problem, and paths
 * relative to the scenario file.
 */
#include "format/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gettext.h"

/* Input files larger than this are refused: 2 GiB is far above any table. */
#define MAX_INPUT ((size_t)2 << 30)

p304_code p304_read_file(const char *path, char **buf, size_t *len,
			 p304_error *err)
{
	struct stat st;
	int fd;
	char *b;
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return p304_error_set(err, P304_ERR_IO, path, 0,
					      _("file not found"));
		return p304_error_set(err, P304_ERR_IO, path, 0,
				      _("cannot open: %s"), strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int is_dir = S_ISDIR(st.st_mode);

		close(fd);
		return p304_error_set(err, P304_ERR_IO, path, 0, is_dir ? _("is a directory, expected a file")
				      : _("is not a regular file, expected a file"));
	}
	if ((size_t)st.st_size > MAX_INPUT) {
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

/* Removes "dir/../" pairs lexically, so messages and manifests say
 * "inputs/data/x.csv" rather than "inputs/scenarios/../data/x.csv". */
static void collapse_dotdot(char *path)
{
	char *p;

	while ((p = strstr(path, "/../")) != NULL) {
		char *seg = p;

		while (seg > path && seg[-1] != '/')
			seg--;
		if ((size_t)(p - seg) == 2 && seg[0] == '.' && seg[1] == '.')
			break; /* "../../": nothing left to collapse */
		if (p == seg)
			break;
		memmove(seg, p + 4, strlen(p + 4) + 1);
	}
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
	collapse_dotdot(out);
	return out;
}
