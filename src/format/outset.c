/*
 * outset.c - output sets written all or nothing. Files go into a temporary
 * directory beside the target; commit puts the directory in place with one
 * rename, or an atomic exchange (renameat2) with the previous set, so an
 * interrupted run leaves the old complete set or the new complete one.
 *
 * What p304 did not write in a previous set (an officer's comments, a chart
 * drawn into the folder, a sub-folder) is never deleted, moved out of sight
 * or replaced (issue 19): files are hard-linked into the new set before the
 * exchange (so they are in both, and no interruption can lose them); after
 * it, whatever is still in the old folder and is not p304's (a sub-folder, a
 * file created while the run looked) moves into the new set. A file the run
 * would write whose name is taken by something p304 did not write is
 * refused. The previous set's own files are those its manifest lists under
 * "files". Runs writing one set wait for each other: a lock file
 * `.NAME.p304-lock` beside the set, removed by the run that holds it.
 */
#include <p304/format.h>

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
	char *lockpath; /* parent/.NAME.p304-lock, held from begin to the end */
	int lockfd;     /* -1: unlocked (flock unsupported) */
	char **owned;   /* the previous set's files (its manifest), or NULL */
	int had_set;    /* target existed when the run began */
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

static int read_manifest(const char *dir, char ***files);
static void free_names(char **names);

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

/* Temporary sets left by a run that was killed (`.NAME.tmp-XXXXXX` beside
 * NAME) are emptied once they are an hour old: no live run is that slow to
 * write a set, and a younger one may belong to a run still going. A file
 * p304 wrote there (a name it writes, or one its manifest lists) and a
 * second link (the other is in a set) go; anything else (a sub-folder or a
 * file caught between the exchange and its move) goes back into the set,
 * or stays where it is if it cannot: never deleted. */
static void empty_stale(int pfd, const char *name, const char *target)
{
	int sfd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int tfd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *sd = sfd >= 0 ? fdopendir(sfd) : NULL;
	char **owned = NULL, *path = NULL;
	struct dirent *f;

	if (!sd) {
		if (sfd >= 0)
			close(sfd);
		if (tfd >= 0)
			close(tfd);
		return;
	}
	if (asprintf(&path, "/proc/self/fd/%d", dirfd(sd)) >= 0)
		read_manifest(path, &owned);
	free(path);
	while ((f = readdir(sd)) != NULL) {
		struct stat fs;

		if (!strcmp(f->d_name, ".") || !strcmp(f->d_name, "..") ||
		    fstatat(dirfd(sd), f->d_name, &fs, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (!S_ISDIR(fs.st_mode) &&
		    (fs.st_nlink > 1 || listed(legacy_names, f->d_name) || listed((const char *const *)owned, f->d_name)))
			unlinkat(dirfd(sd), f->d_name, 0);
		else if (tfd >= 0)
			renameat2(dirfd(sd), f->d_name, tfd, f->d_name, RENAME_NOREPLACE);
	}
	closedir(sd);
	if (tfd >= 0)
		close(tfd);
	free_names(owned);
	unlinkat(pfd, name, AT_REMOVEDIR); /* fails, harmlessly, if something stayed */
}

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

		if (strncmp(e->d_name, prefix, plen) != 0 || strlen(e->d_name) != plen + 6)
			continue;
		if (fstatat(pfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_mtime >= now - 3600)
			continue;
		empty_stale(pfd, e->d_name, target);
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


/* Runs writing one set wait for each other from begin to commit (issue 19:
 * they raced, and a file written meanwhile could go with the old folder).
 * The lock is a file beside the set, removed by its holder while it still
 * holds it; a waiter that then gets the lock of a removed file takes the
 * new one. Returns the descriptor, or -1 when locks are unsupported (some
 * network file systems): then the run goes on unlocked, as before. */
static int lock_set(const char *path)
{
	for (int tries = 0; tries < 1000; tries++) {
		int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
		struct stat held, now;

		if (fd < 0)
			return -1;
		while (flock(fd, LOCK_EX) != 0) {
			if (errno != EINTR) {
				close(fd);
				return -1;
			}
		}
		if (fstat(fd, &held) == 0 && lstat(path, &now) == 0 &&
		    held.st_dev == now.st_dev && held.st_ino == now.st_ino)
			return fd;
		close(fd);
	}
	return -1;
}

static void unlock_set(p304_outset *set)
{
	if (set->lockfd >= 0) {
		unlink(set->lockpath);
		close(set->lockfd);
		set->lockfd = -1;
	}
}

/* What the previous set's manifest says p304 wrote (manifest.json always:
 * check_existing let the folder through because it is p304's). */
static int owned_by_p304(const p304_outset *set, const char *name)
{
	return !strcmp(name, "manifest.json") ||
	       listed(set->owned ? (const char *const *)set->owned : legacy_names, name);
}

/* A file this run writes that exists in the folder and that the previous set
 * did not write: an officer's repartition.xlsx beside a --no-xlsx set, or a
 * folder of that name. It was overwritten or hidden in a temporary folder
 * (issue 19); p304 now refuses, naming it. */
static p304_code check_not_foreign(const p304_outset *set, int dirfd_, const char *name,
				   p304_error *err)
{
	struct stat st;

	/* p304 writes files only: a folder of that name is never its own */
	if (!set->had_set || fstatat(dirfd_, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    (owned_by_p304(set, name) && !S_ISDIR(st.st_mode)))
		return P304_OK;
	return p304_error_set(err, P304_ERR_IO, set->dir, 0,
		_("the folder holds '%s', which p304 did not write (its manifest does not list it), "
		  "and this run writes a file of that name; move or rename yours, or choose another -o"),
		name);
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
	set->lockfd = -1;
	if (asprintf(&set->lockpath, "%s/.%s.p304-lock", set->parent, base) < 0) {
		set->lockpath = NULL;
		goto nomem;
	}
	set->lockfd = lock_set(set->lockpath);
	/* under the lock: the set as the previous writer left it */
	if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
		set->had_set = read_manifest(target, &set->owned);
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
		if (set->lockpath)
			unlock_set(set);
		free(set->lockpath);
		free_names(set->owned);
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
	{
		int tfd = set->had_set ? open(set->target, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		p304_code rc = tfd >= 0 ? check_not_foreign(set, tfd, name, err) : P304_OK;

		if (tfd >= 0)
			close(tfd);
		if (rc != P304_OK) {
			free(path);
			return NULL;
		}
	}
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
	unlock_set(set);
	free(set->lockpath);
	free_names(set->owned);
	for (size_t i = 0; i < set->nnames; i++)
		free(set->names[i]);
	free(set->names);
	free(set->dir);
	free(set->target);
	free(set->parent);
	free(set->tmp);
	free(set);
}

/* A file of the previous set that p304 did not write, linked into the new
 * set before the exchange: its name and the file linked. */
struct kept {
	char *name;
	dev_t dev;
	ino_t ino;
};

static void free_kept(struct kept *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(k[i].name);
	free(k);
}

static const struct kept *find_kept(const struct kept *k, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(k[i].name, name))
			return &k[i];
	return NULL;
}

/* The previous set is at set->target (open as oldfd), the new one at
 * set->tmp (newfd). Links the files p304 did not write into the new set, so
 * that they are in both and no interruption can lose them; sub-folders are
 * moved after the exchange (sweep_old). A name this run writes is refused
 * (check_not_foreign). */
static p304_code keep_foreign(p304_outset *set, int oldfd, int newfd, struct kept **kept,
			      size_t *nkept, p304_error *err)
{
	int dupfd = dup(oldfd);
	DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
	struct dirent *e;
	p304_code rc = P304_OK;

	if (!d) {
		if (dupfd >= 0)
			close(dupfd);
		return p304_error_set(err, P304_ERR_IO, set->dir, 0,
				      _("cannot use as output directory: %s"), strerror(errno));
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL && rc == P304_OK) {
		const char *name = e->d_name;
		struct stat st;
		struct kept *grown;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (listed((const char *const *)set->names, name)) {
			rc = check_not_foreign(set, oldfd, name, err);
			continue;
		}
		if (owned_by_p304(set, name))
			continue;
		if (fstatat(oldfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode))
			continue; /* gone meanwhile; a folder moves after the exchange */
		if (linkat(oldfd, name, newfd, name, 0) != 0) {
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				_("cannot keep '%s' (not written by p304) in the new set: %s; "
				  "move it out of the folder and run again"), name, strerror(errno));
		} else if (!(grown = realloc(*kept, (*nkept + 1) * sizeof(**kept))) ||
			   !(grown[*nkept].name = strdup(name))) {
			if (grown)
				*kept = grown;
			unlinkat(newfd, name, 0);
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		} else {
			*kept = grown;
			grown[*nkept].dev = st.st_dev;
			grown[*nkept].ino = st.st_ino;
			(*nkept)++;
		}
	}
	closedir(d);
	return rc;
}

/* One entry of the previous set, once the new set is in place: p304's own
 * file goes; a second link made by keep_foreign goes if the new set holds
 * that file; anything else moves into the new set (a file created after
 * keep_foreign looked was deleted with the old folder: 28 of 589 charts,
 * issue 19). Returns 0, or -1 if the entry stays where it is. */
static int sweep_entry(p304_outset *set, int oldfd, int newfd, const char *name,
		       const struct kept *kept, size_t nkept)
{
	const struct kept *k = find_kept(kept, nkept, name);
	struct stat st, ns;

	if (fstatat(oldfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0; /* gone meanwhile */
	if (!k && !S_ISDIR(st.st_mode) && owned_by_p304(set, name))
		return unlinkat(oldfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	if (k && st.st_dev == k->dev && st.st_ino == k->ino)
		/* the file linked: the new set has it, or a newer one of its owner */
		return unlinkat(oldfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	if (k && fstatat(newfd, name, &ns, AT_SYMLINK_NOFOLLOW) == 0 &&
	    ns.st_dev == k->dev && ns.st_ino == k->ino)
		/* replaced by its owner after the link: the newer one wins */
		return renameat(oldfd, name, newfd, name) == 0 ? 0 : -1;
	return renameat2(oldfd, name, newfd, name, RENAME_NOREPLACE) == 0 ? 0 : -1;
}

/* The previous set, now at set->tmp, emptied into the new one and removed.
 * What cannot be moved stays there, and the error says where. */
static p304_code sweep_old(p304_outset *set, int pfd, int oldfd, int newfd,
			   const struct kept *kept, size_t nkept, p304_error *err)
{
	const char *tmpname = strrchr(set->tmp, '/') + 1;
	char stuck[NAME_MAX + 1] = "";

	for (int round = 0; round < 5; round++) {
		int dupfd = dup(oldfd);
		DIR *d = dupfd >= 0 ? fdopendir(dupfd) : NULL;
		struct dirent *e;

		if (!d) {
			if (dupfd >= 0)
				close(dupfd);
			break;
		}
		rewinddir(d); /* a dup shares the offset keep_foreign left at the end */
		stuck[0] = '\0';
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    sweep_entry(set, oldfd, newfd, e->d_name, kept, nkept) != 0)
				snprintf(stuck, sizeof(stuck), "%s", e->d_name);
		closedir(d);
		if (unlinkat(pfd >= 0 ? pfd : AT_FDCWD, pfd >= 0 ? tmpname : set->tmp,
			     AT_REMOVEDIR) == 0)
			return P304_OK;
		if (stuck[0])
			break;
	}
	return p304_error_set(err, P304_ERR_IO, set->dir, 0,
		_("the new set is in place, but '%s' (not written by p304) could not be moved "
		  "into it (%s); it is in %s"), stuck[0] ? stuck : "?", strerror(errno), set->tmp);
}

/* The previous set as it is now: a p304 older than the lock may have
 * replaced it since begin. */
static p304_code reread_owned(p304_outset *set)
{
	free_names(set->owned);
	set->had_set = read_manifest(set->target, &set->owned);
	return P304_OK;
}

/* A run that did not put its set in place: its own files and the second
 * links keep_foreign made go, nothing else. */
static void remove_new(p304_outset *set, const struct kept *kept, size_t nkept)
{
	int fd = open(set->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < set->nnames; i++)
		unlinkat(fd, set->names[i], 0);
	for (size_t i = 0; i < nkept; i++)
		unlinkat(fd, kept[i].name, 0);
	close(fd);
	rmdir(set->tmp);
}

p304_code p304_outset_commit(p304_outset *set, p304_error *err)
{
	int pfd = -1, newfd = -1, oldfd = -1, swapped = 0;
	struct kept *kept = NULL;
	size_t nkept = 0;
	p304_code rc = P304_OK;

	/* Runs writing one folder already wait for each other (lock_set);
	 * the parent's flock also orders this commit with a p304 older than
	 * that lock. flock may be unsupported: then go on unlocked. */
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
			swapped = 1;
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
		   (rc = reread_owned(set)) == P304_OK &&
		   (rc = keep_foreign(set, oldfd, newfd, &kept, &nkept, err)) == P304_OK) {
		if (renameat2(AT_FDCWD, set->tmp, AT_FDCWD, set->target, RENAME_EXCHANGE) != 0) {
			rc = p304_error_set(err, P304_ERR_IO, set->dir, 0,
				_("cannot replace the previous output: %s"), strerror(errno));
		} else {
			swapped = 1;
			rc = sweep_old(set, pfd, oldfd, newfd, kept, nkept, err);
		}
	}
	if (!swapped)
		remove_new(set, kept, nkept);
	free_kept(kept, nkept);
	if (oldfd >= 0)
		close(oldfd);
	if (newfd >= 0)
		close(newfd);
	if (pfd >= 0)
		close(pfd); /* releases the parent's lock */
	outset_free(set); /* and the set's */
	return rc;
}

void p304_outset_abort(p304_outset *set)
{
	if (!set)
		return;
	remove_new(set, NULL, 0);
	outset_free(set);
}
