/*
 * outset.c - output sets written all or nothing. Files go into a temporary
 * directory beside the target; commit puts the directory in place with one
 * rename, or an atomic exchange (renameat2) with the previous set, so an
 * interrupted run leaves the old complete set or the new complete one.
 */
#include <p304/io.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format/fileutil.h"
#include "gettext.h"

struct p304_outset {
	char *dir;
	char *tmp;
};

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Removes the plain files of a flat directory, then the directory. */
static void remove_flat_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Temporary sets left by a run that was killed (`.NAME.tmp-XXXXXX` beside
 * NAME) are removed once they are an hour old: no live run is that slow to
 * write a set, and a younger one may belong to a run still going. */
static void remove_stale(const char *parent, const char *base)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	char prefix[300], path[PATH_MAX];
	size_t plen;
	time_t now = time(NULL);

	if (!d)
		return;
	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.tmp-", base);
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6)
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_mtime < now - 3600)
			remove_flat_dir(path);
	}
	closedir(d);
}

/* An existing directory may be replaced only if it is empty or a previous
 * p304 output set (its manifest says so). */
static p304_code check_existing(const char *dir, p304_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int entries = 0, has_manifest = 0;
	char *path, *text = NULL;
	size_t len;

	if (!d)
		return p304_error_set(err, P304_ERR_IO, dir, 0,
			_("cannot use as output directory: %s"), strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		entries++;
		has_manifest |= strcmp(e->d_name, "manifest.json") == 0;
	}
	closedir(d);
	if (entries == 0)
		return P304_OK;
	if (has_manifest && asprintf(&path, "%s/manifest.json", dir) >= 0) {
		int ours = p304_read_file(path, &text, &len, NULL) == P304_OK &&
			   strstr(text, "\"tool\":\t\"p304\"") != NULL;

		free(text);
		free(path);
		if (ours)
			return P304_OK;
	}
	return p304_error_set(err, P304_ERR_IO, dir, 0,
		_("output directory exists and was not written by p304; "
		"choose another -o (p304 replaces only its own output folders)"));
}

p304_code p304_outset_begin(const char *dir, const char *const *inputs,
			    size_t ninputs, p304_outset **out, p304_error *err)
{
	p304_outset *set;
	struct stat st;
	char *pcopy = NULL, *bcopy = NULL, *parent, *base, real_dir[PATH_MAX];
	p304_code rc;

	*out = NULL;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return p304_error_set(err, P304_ERR_IO, dir, 0,
				_("exists and is not a directory, expected an output directory"));
		if (realpath(dir, real_dir)) {
			for (size_t i = 0; i < ninputs; i++) {
				char real_in[PATH_MAX], *c = strdup(inputs[i]);

				if (c && realpath(dirname(c), real_in) &&
				    strcmp(real_in, real_dir) == 0) {
					free(c);
					return p304_error_set(err, P304_ERR_IO, dir, 0,
						_("output directory holds the input %s; "
						"choose another -o"), inputs[i]);
				}
				free(c);
			}
		}
		if ((rc = check_existing(dir, err)) != P304_OK)
			return rc;
	}
	set = calloc(1, sizeof(*set));
	if (!set || !(set->dir = strdup(dir)) || !(pcopy = strdup(dir)) ||
	    !(bcopy = strdup(dir)))
		goto nomem;
	parent = dirname(pcopy);
	base = basename(bcopy);
	if (mkdir_p(parent) != 0) {
		rc = p304_error_set(err, P304_ERR_IO, parent, 0,
				    _("cannot create directory: %s"), strerror(errno));
		goto fail;
	}
	remove_stale(parent, base);
	if (asprintf(&set->tmp, "%s/.%s.tmp-XXXXXX", parent, base) < 0) {
		set->tmp = NULL;
		goto nomem;
	}
	if (!mkdtemp(set->tmp)) {
		rc = p304_error_set(err, P304_ERR_IO, dir, 0,
				    _("cannot write output directory: %s"), strerror(errno));
		goto fail;
	}
	{
		/* mkdtemp makes 0700; the set is an ordinary folder (umask) */
		mode_t mask = umask(0);

		umask(mask);
		chmod(set->tmp, 0777 & ~mask);
	}
	free(pcopy);
	free(bcopy);
	*out = set;
	return P304_OK;
nomem:
	rc = p304_error_set(err, P304_ERR_NOMEM, dir, 0, _("out of memory"));
fail:
	free(pcopy);
	free(bcopy);
	if (set) {
		free(set->dir);
		free(set->tmp);
		free(set);
	}
	return rc;
}

FILE *p304_outset_open(p304_outset *set, const char *name, p304_error *err)
{
	char *path;
	FILE *fp;

	if (asprintf(&path, "%s/%s", set->tmp, name) < 0) {
		p304_error_set(err, P304_ERR_NOMEM, name, 0, _("out of memory"));
		return NULL;
	}
	fp = fopen(path, "wbx");
	if (!fp)
		p304_error_set(err, P304_ERR_IO, path, 0, _("cannot write: %s"), strerror(errno));
	free(path);
	return fp;
}

p304_code p304_outset_commit(p304_outset *set, p304_error *err)
{
	struct stat st;
	p304_code rc = P304_OK;

	if (stat(set->dir, &st) != 0) {
		if (rename(set->tmp, set->dir) != 0)
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
					    _("cannot put output in place: %s"), strerror(errno));
	} else if (renameat2(AT_FDCWD, set->tmp, AT_FDCWD, set->dir, RENAME_EXCHANGE) != 0) {
		rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				    _("cannot replace the previous output: %s"), strerror(errno));
	}
	/* On success set->tmp now holds the previous set (or nothing). */
	remove_flat_dir(set->tmp);
	free(set->dir);
	free(set->tmp);
	free(set);
	return rc;
}

void p304_outset_abort(p304_outset *set)
{
	if (!set)
		return;
	remove_flat_dir(set->tmp);
	free(set->dir);
	free(set->tmp);
	free(set);
}
