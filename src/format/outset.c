/*
 * outset.c - output sets written all or nothing. Files go into a temporary
 * directory beside the target; commit puts the directory in place with one
 * rename, or an atomic exchange (renameat2) with the previous set, so an
 * interrupted run leaves the old complete set or the new complete one.
 *
 * What p304 did not write in a previous set (an officer's comments, a chart
 * drawn into the folder, a sub-folder) is never deleted: files are
 * hard-linked into the new set before the exchange (so they are in both, and
 * no interruption can lose them), sub-folders are moved into it right after.
 * The previous set's own files are those its manifest lists under "files".
 */
#include <p304/io.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "format/fileutil.h"
#include "gettext.h"

struct p304_outset {
	char *dir;    /* the folder as given (for messages) */
	char *target; /* the path put in place: dir, or where its symlink points */
	char *parent; /* the folder holding target and tmp */
	char *tmp;    /* parent/.NAME.tmp-XXXXXX */
	char **names; /* the files written so far */
	size_t nnames;
};

/* Names p304 wrote into sets before manifests listed their files: a set
 * whose manifest has no "files" owns these (and nothing else). */
static const char *const legacy_names[] = {
	"manifest.json", "repartition.json", "repartition.csv", "repartition.xlsx",
	"par-region.csv", "notification.json", "notification.csv", "notification.xlsx",
	"comparaison.json", "comparaison.csv", "comparaison.xlsx", "sweep.json",
	"sweep.csv", "avenant.json", "avenant.csv", "note.html", "note.md",
	"map.svg", "bars.svg", "compare.svg", "reconcile.svg", NULL
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

static int listed(const char *const *names, const char *name)
{
	for (; names && *names; names++)
		if (!strcmp(*names, name))
			return 1;
	return 0;
}

/* Removes the plain files of the directory `name` in `parentfd`, then the
 * directory. Sub-folders are left (and so is the directory holding them):
 * they are never p304's. */
static void remove_flat_dir_at(int parentfd, const char *name)
{
	int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	unlinkat(parentfd, name, AT_REMOVEDIR);
}

static void remove_flat_dir(const char *dir)
{
	remove_flat_dir_at(AT_FDCWD, dir);
}

/* Temporary sets left by a run that was killed (`.NAME.tmp-XXXXXX` beside
 * NAME) are removed once they are an hour old: no live run is that slow to
 * write a set, and a younger one may belong to a run still going. Their files
 * are p304's or second links of files still in a set; a sub-folder is an
 * officer's, caught between the exchange and its move: it goes back into
 * the set. */
static void remove_stale(const char *parent, const char *base, const char *target)
{
	int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = pfd >= 0 ? fdopendir(pfd) : NULL;
	struct dirent *e;
	char prefix[NAME_MAX + 16];
	size_t plen;
	time_t now = time(NULL);

	if (!d) {
		if (pfd >= 0)
			close(pfd);
		return;
	}
	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.tmp-", base);
	while ((e = readdir(d)) != NULL) {
		struct stat st;
		int sfd, tfd;
		DIR *sd;
		struct dirent *f;

		if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6)
			continue;
		if (fstatat(pfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_mtime >= now - 3600)
			continue;
		sfd = openat(pfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		tfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sfd >= 0 && tfd >= 0 && (sd = fdopendir(sfd)) != NULL) {
			sfd = -1;
			while ((f = readdir(sd)) != NULL) {
				struct stat fs;

				if (!strcmp(f->d_name, ".") || !strcmp(f->d_name, ".."))
					continue;
				if (fstatat(dirfd(sd), f->d_name, &fs, AT_SYMLINK_NOFOLLOW) == 0 &&
				    S_ISDIR(fs.st_mode))
					renameat2(dirfd(sd), f->d_name, tfd, f->d_name, RENAME_NOREPLACE);
			}
			closedir(sd);
		}
		if (sfd >= 0)
			close(sfd);
		if (tfd >= 0)
			close(tfd);
		remove_flat_dir_at(pfd, e->d_name);
	}
	closedir(d);
}

/* Reads DIR/manifest.json: is it p304's, and the files it lists (a
 * NULL-terminated array to free with free_names, NULL when the manifest has
 * no "files": a set written before manifests listed them). */
static int read_manifest(const char *dir, char ***files)
{
	char *path = NULL, *text = NULL;
	size_t len;
	cJSON *m = NULL, *tool, *list, *it;
	int ours = 0;

	*files = NULL;
	if (asprintf(&path, "%s/manifest.json", dir) < 0)
		return 0;
	if (p304_read_file(path, &text, &len, NULL) != P304_OK)
		goto out;
	m = cJSON_Parse(text);
	tool = cJSON_GetObjectItemCaseSensitive(m, "tool");
	ours = cJSON_IsString(tool) && !strcmp(tool->valuestring, "p304");
	list = cJSON_GetObjectItemCaseSensitive(m, "files");
	if (ours && cJSON_IsArray(list)) {
		size_t n = 0;

		*files = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(char *));
		cJSON_ArrayForEach(it, list) {
			if (*files && cJSON_IsString(it) && (((*files)[n] = strdup(it->valuestring))))
				n++;
		}
	}
out:
	cJSON_Delete(m);
	free(text);
	free(path);
	return ours;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* An existing directory may be replaced only if it is empty or a previous
 * p304 output set (its manifest says so). */
static p304_code check_existing(const char *dir, const char *shown, p304_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int entries = 0, has_manifest = 0;

	if (!d)
		return p304_error_set(err, P304_ERR_IO, shown, 0,
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
	if (has_manifest) {
		char **files;
		int ours = read_manifest(dir, &files);

		free_names(files);
		if (ours)
			return P304_OK;
	}
	return p304_error_set(err, P304_ERR_IO, shown, 0,
		_("output directory exists and was not written by p304; "
		"choose another -o (p304 replaces only its own output folders)"));
}

/* -o '' names no folder; a name longer than the system allows would fail
 * later with a bare "File name too long". */
static p304_code check_name(const char *dir, p304_error *err)
{
	size_t len = strlen(dir), comp = 0, longest = 0;
	const char *end = dir + len;

	if (len == 0)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("the output folder name is empty, expected a folder such as -o outputs/essai"));
	for (const char *p = dir; p <= end; p++) {
		if (p == end || *p == '/') {
			longest = comp > longest ? comp : longest;
			comp = 0;
		} else {
			comp++;
		}
	}
	if (longest > NAME_MAX || len >= PATH_MAX - 32)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("the output folder name is too long (%zu characters%s), expected at most %d "
			  "characters per folder name and %d in all"),
			len, longest > NAME_MAX ? _(", one name longer than 255") : "",
			NAME_MAX, PATH_MAX - 33);
	return P304_OK;
}

/* -o ., -o .. or -o / (also spelt dir/. or ./): a folder that holds others
 * cannot be put in place as a set. */
static int names_a_parent(const char *dir)
{
	const char *end = dir + strlen(dir), *start;

	while (end > dir + 1 && end[-1] == '/')
		end--;
	start = end;
	while (start > dir && start[-1] != '/')
		start--;
	return (end - start == 1 && start[0] == '.') ||
	       (end - start == 2 && !strncmp(start, "..", 2)) ||
	       (end - start == 1 && start[0] == '/');
}

p304_code p304_outset_begin(const char *dir, const char *const *inputs,
			    size_t ninputs, p304_outset **out, p304_error *err)
{
	p304_outset *set = NULL;
	struct stat st;
	char *pcopy = NULL, *bcopy = NULL, *base, real_dir[PATH_MAX];
	const char *target = dir;
	p304_code rc;

	*out = NULL;
	if ((rc = check_name(dir, err)) != P304_OK)
		return rc;
	/* -o LINK, a symbolic link to a folder: the set replaces the folder
	 * it points to and the link stays (the exchange is done on the real
	 * path; done on the link it would replace the link) */
	if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!realpath(dir, real_dir))
			return p304_error_set(err, P304_ERR_IO, dir, 0,
				_("is a symbolic link to a folder that cannot be reached (%s), "
				  "expected an output folder"), strerror(errno));
		target = real_dir;
	}
	if (stat(target, &st) == 0) {
		char real_out[PATH_MAX];

		if (!S_ISDIR(st.st_mode))
			return p304_error_set(err, P304_ERR_IO, dir, 0,
				_("exists and is not a directory, expected an output directory"));
		if (realpath(target, real_out)) {
			for (size_t i = 0; i < ninputs; i++) {
				char real_in[PATH_MAX], *c = strdup(inputs[i]);

				if (c && realpath(dirname(c), real_in) &&
				    strcmp(real_in, real_out) == 0) {
					free(c);
					return p304_error_set(err, P304_ERR_IO, dir, 0,
						_("output directory holds the input %s; "
						"choose another -o"), inputs[i]);
				}
				free(c);
			}
		}
		if (names_a_parent(dir))
			return p304_error_set(err, P304_ERR_IO, dir, 0,
				_("is a folder that holds others, not an output folder; "
				  "give the output its own folder, such as -o outputs/essai"));
		if ((rc = check_existing(target, dir, err)) != P304_OK)
			return rc;
	}
	set = calloc(1, sizeof(*set));
	if (!set || !(set->dir = strdup(dir)) || !(set->target = strdup(target)) ||
	    !(pcopy = strdup(target)) || !(bcopy = strdup(target)) ||
	    !(set->parent = strdup(dirname(pcopy))))
		goto nomem;
	base = basename(bcopy);
	if (mkdir_p(set->parent) != 0) {
		rc = p304_error_set(err, P304_ERR_IO, set->parent, 0,
				    _("cannot create directory: %s"), strerror(errno));
		goto fail;
	}
	remove_stale(set->parent, base, target);
	if (asprintf(&set->tmp, "%s/.%s.tmp-XXXXXX", set->parent, base) < 0) {
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
		free(set->target);
		free(set->parent);
		free(set->tmp);
		free(set);
	}
	return rc;
}

FILE *p304_outset_open(p304_outset *set, const char *name, p304_error *err)
{
	char *path, **grown;
	FILE *fp;

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		p304_error_set(err, P304_ERR_INTERNAL, name, 0, _("not a file name of a set"));
		return NULL;
	}
	grown = realloc(set->names, (set->nnames + 2) * sizeof(char *));
	if (!grown || asprintf(&path, "%s/%s", set->tmp, name) < 0) {
		if (grown)
			set->names = grown;
		p304_error_set(err, P304_ERR_NOMEM, name, 0, _("out of memory"));
		return NULL;
	}
	set->names = grown;
	fp = fopen(path, "wbx");
	if (!fp) {
		p304_error_set(err, P304_ERR_IO, path, 0, _("cannot write: %s"), strerror(errno));
	} else if (!(set->names[set->nnames] = strdup(name))) {
		fclose(fp);
		fp = NULL;
		p304_error_set(err, P304_ERR_NOMEM, name, 0, _("out of memory"));
	} else {
		set->names[++set->nnames] = NULL;
	}
	free(path);
	return fp;
}

static void outset_free(p304_outset *set)
{
	for (size_t i = 0; i < set->nnames; i++)
		free(set->names[i]);
	free(set->names);
	free(set->dir);
	free(set->target);
	free(set->parent);
	free(set->tmp);
	free(set);
}

/* The previous set is at set->target (open as oldfd), the new one at
 * set->tmp (newfd). Links the files p304 did not write into the new set and
 * lists the sub-folders to move once the new set is in place. */
static p304_code keep_foreign(p304_outset *set, int oldfd, int newfd, char ***folders,
			      p304_error *err)
{
	char **owned = NULL;
	int dupfd = dup(oldfd);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *e;
	size_t nf = 0;
	p304_code rc = P304_OK;

	*folders = NULL;
	if (!d) {
		if (dupfd >= 0)
			close(dupfd);
		return p304_error_set(err, P304_ERR_IO, set->dir, 0,
				      _("cannot use as output directory: %s"), strerror(errno));
	}
	read_manifest(set->target, &owned);
	while ((e = readdir(d)) != NULL && rc == P304_OK) {
		const char *name = e->d_name;
		struct stat st;

		if (!strcmp(name, ".") || !strcmp(name, "..") ||
		    listed((const char *const *)set->names, name) ||
		    listed(owned ? (const char *const *)owned : legacy_names, name))
			continue;
		if (fstatat(oldfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode)) {
			char **grown = realloc(*folders, (nf + 2) * sizeof(char *));

			if (!grown || !(grown[nf] = strdup(name))) {
				if (grown)
					*folders = grown;
				rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
				break;
			}
			*folders = grown;
			(*folders)[++nf] = NULL;
		} else if (linkat(oldfd, name, newfd, name, 0) != 0) {
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				_("cannot keep '%s' (not written by p304) in the new set: %s; "
				  "move it out of the folder and run again"), name, strerror(errno));
		}
	}
	closedir(d);
	free_names(owned);
	return rc;
}

p304_code p304_outset_commit(p304_outset *set, p304_error *err)
{
	int pfd = -1, newfd = -1, oldfd = -1;
	char **folders = NULL;
	p304_code rc = P304_OK;

	/* Two runs writing the same folder commit one after the other: each
	 * finds the other's complete set and replaces it. flock may be
	 * unsupported (some network file systems): then go on unlocked. */
	pfd = open(set->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd >= 0)
		while (flock(pfd, LOCK_EX) != 0 && errno == EINTR)
			;
	newfd = open(set->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	oldfd = open(set->target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (newfd < 0) {
		rc = p304_error_set(err, P304_ERR_IO, set->tmp, 0,
				    _("cannot put output in place: %s"), strerror(errno));
	} else if (oldfd < 0 && errno == ENOENT) {
		if (renameat2(AT_FDCWD, set->tmp, AT_FDCWD, set->target, RENAME_NOREPLACE) == 0)
			;
		else if (errno == EEXIST || errno == ENOTEMPTY)
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				_("another program is writing this folder; "
				  "wait for it to finish and run again"));
		else
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				_("cannot put output in place: %s"), strerror(errno));
	} else if (oldfd < 0) {
		rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				    _("cannot replace the previous output: %s"), strerror(errno));
	} else if ((rc = check_existing(set->target, set->dir, err)) == P304_OK &&
		   (rc = keep_foreign(set, oldfd, newfd, &folders, err)) == P304_OK) {
		if (renameat2(AT_FDCWD, set->tmp, AT_FDCWD, set->target, RENAME_EXCHANGE) != 0) {
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				_("cannot replace the previous output: %s"), strerror(errno));
		} else {
			/* set->tmp now holds the previous set: its sub-folders
			 * join the new one */
			for (size_t i = 0; folders && folders[i]; i++) {
				if (renameat2(oldfd, folders[i], newfd, folders[i], RENAME_NOREPLACE) != 0 &&
				    rc == P304_OK)
					rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
						_("the new set is in place, but the folder '%s' could not "
						  "be moved into it (%s); it is in %s"),
						folders[i], strerror(errno), set->tmp);
			}
		}
	}
	/* On success set->tmp holds the previous set (or nothing); on failure
	 * the new one, which is dropped: either way p304's files and second
	 * links only (a sub-folder that could not be moved keeps it). */
	remove_flat_dir(set->tmp);
	free_names(folders);
	if (oldfd >= 0)
		close(oldfd);
	if (newfd >= 0)
		close(newfd);
	if (pfd >= 0)
		close(pfd); /* releases the lock */
	outset_free(set);
	return rc;
}

void p304_outset_abort(p304_outset *set)
{
	if (!set)
		return;
	remove_flat_dir(set->tmp);
	outset_free(set);
}
