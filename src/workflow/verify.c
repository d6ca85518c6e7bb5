/*
 * verify.c - `p304 verify` without the terminal: reads DIR/manifest.json,
 * checks the SHA-256 of every input, rebuilds the recorded command from a
 * fixed list of what each set-writing subcommand accepts, reruns it into a
 * scratch folder and compares the set's files; for a JSON result, row by row.
 */
#include <p304/verify.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <p304/io.h>

#include "format/fileutil.h"
#include "gettext.h"

extern char **environ;

/* What verify replays: the subcommands that write output sets and, for
 * each, the options that take a value and the flags. -q and -o are the
 * verifier's own; anything else recorded is refused. */
struct replay {
	const char *name;
	const char *valued[8];
	const char *flags[2];
};

static const struct replay replays[] = {
	{ "allocate", { "--by" }, { "--xlsx" } },
	{ "reconcile", { "--needs", "--plan", "--caps", "--by" }, { "--xlsx" } },
	{ "compare", { NULL }, { "--xlsx" } },
	{ "sweep", { "--samples", "--seed", "--threads", "--weights", "--data", "--floor",
		     "--ceiling" }, { NULL } },
	{ "avenant", { "--consumed", "--rule", "--rate" }, { NULL } },
	{ "note", { "--compare", "--needs" }, { NULL } },
};

static int in_list(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static p304_code add_line(char ***lines, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static p304_code add_line(char ***lines, size_t *n, const char *fmt, ...)
{
	char **grown = realloc(*lines, (*n + 1) * sizeof(char *));
	va_list ap;
	int rc;

	if (!grown)
		return P304_ERR_NOMEM;
	*lines = grown;
	va_start(ap, fmt);
	rc = vasprintf(&grown[*n], fmt, ap);
	va_end(ap);
	if (rc < 0)
		return P304_ERR_NOMEM;
	(*n)++;
	return P304_OK;
}

#define REPORT(rep, ...) add_line(&(rep)->lines, &(rep)->nlines, __VA_ARGS__)

static cJSON *load_json(const char *path)
{
	char *text;
	size_t len;
	cJSON *j;

	if (p304_read_file(path, &text, &len, NULL) != P304_OK)
		return NULL;
	j = cJSON_Parse(text);
	free(text);
	return j;
}

static int same_file(const char *a, const char *b)
{
	/* a FIFO put in the set's folder would hang fopen: regular files only */
	FILE *fa = p304_open_regular(a, NULL), *fb = p304_open_regular(b, NULL);
	int same = fa && fb, ca, cb;

	while (same) {
		ca = fgetc(fa);
		cb = fgetc(fb);
		if (ca != cb)
			same = 0;
		if (ca == EOF || cb == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static void value_text(const cJSON *v, char *buf, size_t size)
{
	char *t;

	if (!v) {
		snprintf(buf, size, "(absent)");
		return;
	}
	t = cJSON_PrintUnformatted(v);
	snprintf(buf, size, "%s", t ? t : "?");
	cJSON_free(t);
}

static const char *code_of(const cJSON *row)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(row, "code");

	return cJSON_IsString(c) ? c->valuestring : NULL;
}

static const cJSON *row_with_code(const cJSON *rows, const char *code)
{
	const cJSON *r;

	if (!code)
		return NULL;
	cJSON_ArrayForEach(r, rows) {
		const char *c = code_of(r);

		if (c && !strcmp(c, code))
			return r;
	}
	return NULL;
}

/* Row by row: every field of every row, keyed by code. */
static void diff_json(p304_verify_report *rep, const char *name, const char *a_path,
		      const char *b_path)
{
	cJSON *a = load_json(a_path), *b = load_json(b_path), *it;
	const cJSON *ra, *rb;
	char va[128], vb[128];

	if (!a || !b) {
		REPORT(rep, "%s: differs (not readable as JSON)", name);
		goto out;
	}
	for (it = a->child; it; it = it->next) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(b, it->string);

		if (cJSON_IsArray(it))
			continue;
		if (!o || !cJSON_Compare(it, o, 1)) {
			value_text(it, va, sizeof(va));
			value_text(o, vb, sizeof(vb));
			REPORT(rep, "%s: %s %s, recomputed %s", name, it->string, va, vb);
		}
	}
	ra = cJSON_GetObjectItemCaseSensitive(a, "rows");
	rb = cJSON_GetObjectItemCaseSensitive(b, "rows");
	cJSON_ArrayForEach(it, ra) {
		const char *code = code_of(it);
		const cJSON *other = row_with_code(rb, code), *f;

		if (!other) {
			REPORT(rep, "%s: row %s is not in the recomputation", name, code ? code : "?");
			continue;
		}
		for (f = it->child; f; f = f->next) {
			const cJSON *g = cJSON_GetObjectItemCaseSensitive(other, f->string);

			if (g && cJSON_Compare(f, g, 1))
				continue;
			value_text(f, va, sizeof(va));
			value_text(g, vb, sizeof(vb));
			REPORT(rep, "%s: row %s: %s %s, recomputed %s", name, code ? code : "?",
			       f->string, va, vb);
		}
	}
	cJSON_ArrayForEach(it, rb) {
		if (!row_with_code(ra, code_of(it)))
			REPORT(rep, "%s: row %s appears in the recomputation only", name,
			       code_of(it) ? code_of(it) : "?");
	}
out:
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* The recorded arguments rebuilt: p304 SUB -q OPTIONS -o OUTDIR -- OPERANDS.
 * The strings belong to `args`; free the array. */
static p304_code rebuild_argv(const cJSON *args, const char *outdir, const char *manifest,
			      const char ***out, p304_error *err)
{
	size_t n = (size_t)cJSON_GetArraySize(args), k = 0, nops = 0;
	const char **v = calloc(n + 8, sizeof(char *)), **ops = calloc(n + 1, sizeof(char *));
	const struct replay *r = NULL;
	const cJSON *it;
	int options = 1;
	p304_code rc = P304_OK;

	*out = NULL;
	if (!v || !ops) {
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(it, args)
		if (!cJSON_IsString(it)) {
			rc = p304_error_set(err, P304_ERR_INPUT, manifest, 0,
				_("\"argv\" holds something other than text; expected the command's words"));
			goto fail;
		}
	it = args->child;
	for (size_t i = 0; it && i < sizeof(replays) / sizeof(replays[0]); i++)
		if (!strcmp(replays[i].name, it->valuestring))
			r = &replays[i];
	if (!r) {
		rc = p304_error_set(err, P304_ERR_INPUT, manifest, 0,
			_("the recorded command '%s' is not one verify replays "
			  "(allocate, reconcile, compare, sweep, avenant, note)"),
			it ? it->valuestring : "");
		goto fail;
	}
	v[k++] = "p304";
	v[k++] = r->name;
	v[k++] = "-q";
	for (it = it->next; it; it = it->next) {
		const char *a = it->valuestring;

		if (!options || a[0] != '-' || !a[1]) {
			ops[nops++] = a;
		} else if (!strcmp(a, "--")) {
			options = 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			continue;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			/* the set's own folder: the scratch folder replaces it */
			if (it->next)
				it = it->next;
		} else if (in_list(r->flags, 2, a)) {
			v[k++] = a;
		} else if (in_list(r->valued, 8, a) && it->next) {
			v[k++] = a;
			it = it->next;
			v[k++] = it->valuestring;
		} else {
			rc = p304_error_set(err, P304_ERR_INPUT, manifest, 0,
				_("the recorded command has the option '%s', which verify does not "
				  "replay for '%s'"), a, r->name);
			goto fail;
		}
	}
	v[k++] = "-o";
	v[k++] = outdir;
	v[k++] = "--";
	for (size_t i = 0; i < nops; i++)
		v[k++] = ops[i];
	v[k] = NULL;
	free(ops);
	*out = v;
	return P304_OK;
fail:
	free(v);
	free(ops);
	return rc;
}

/* Reruns p304 with argv (no shell), silently, in folder `cwd` (NULL: here);
 * returns its exit code, -1 when it cannot start. */
static int rerun(const char *self, const char *const *argv, const char *cwd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (cwd)
		posix_spawn_file_actions_addchdir_np(&fa, cwd);
	rc = posix_spawn(&pid, self, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* The whole scratch tree, links not followed. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A file name from the manifest's "files": a plain name in the folder. */
static int plain_name(const char *s)
{
	return s[0] && s[0] != '.' && !strchr(s, '/') && strcmp(s, "manifest.json") != 0;
}

/* The files to compare, sorted: the manifest's "files", or for a set
 * written before manifests listed them, what the recomputation wrote.
 * Charts and notes added to the set afterwards are not compared. */
static p304_code files_to_compare(const cJSON *m, const char *outdir, cJSON *own,
				  const char ***names, size_t *n)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(m, "files"), *it;
	size_t cap = 16;

	*n = 0;
	if (!(*names = malloc(cap * sizeof(char *))))
		return P304_ERR_NOMEM;
	if (cJSON_IsArray(files)) {
		cJSON_ArrayForEach(it, files) {
			if (!cJSON_IsString(it) || !plain_name(it->valuestring))
				continue;
			if (*n == cap) {
				const char **g = realloc(*names, (cap *= 2) * sizeof(char *));

				if (!g)
					return P304_ERR_NOMEM;
				*names = g;
			}
			(*names)[(*n)++] = it->valuestring;
		}
	} else {
		DIR *d = opendir(outdir);
		struct dirent *e;

		while (d && (e = readdir(d)) != NULL) {
			const char *s;

			if (!plain_name(e->d_name))
				continue;
			if (*n == cap) {
				const char **g = realloc(*names, (cap *= 2) * sizeof(char *));

				if (!g) {
					closedir(d);
					return P304_ERR_NOMEM;
				}
				*names = g;
			}
			/* `own` keeps the string */
			s = cJSON_GetStringValue(cJSON_AddItemToArray(own, cJSON_CreateString(e->d_name))
						 ? cJSON_GetArrayItem(own, cJSON_GetArraySize(own) - 1) : NULL);
			if (s)
				(*names)[(*n)++] = s;
		}
		if (d)
			closedir(d);
	}
	qsort(*names, *n, sizeof(char *), cmp_names);
	return P304_OK;
}

/* An input path as recorded: relative to the recorded working folder. */
static char *input_path(const char *cwd, const char *path)
{
	char *p;

	if (path[0] == '/' || !cwd)
		return strdup(path);
	return asprintf(&p, "%s/%s", cwd, path) < 0 ? NULL : p;
}

p304_code p304_verify_set(const char *dir, const char *self, p304_verify_report *rep,
			  p304_error *err)
{
	char absdir[PATH_MAX], manifest[PATH_MAX + 32], shown[PATH_MAX + 32];
	char scratch[PATH_MAX];
	char outdir[PATH_MAX + 8];
	cJSON *m = NULL, *args, *inputs, *it, *own = cJSON_CreateArray();
	const cJSON *tool, *cwd, *command;
	const char **argv = NULL, **names = NULL;
	const char *runin = NULL;
	size_t nnames = 0;
	int made_scratch = 0, rc;
	p304_code code = P304_OK;
	struct stat st;

	memset(rep, 0, sizeof(*rep));
	if (!realpath(dir, absdir))
		return p304_error_set(err, P304_ERR_IO, dir, 0, "%s", strerror(errno));
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", absdir);
	snprintf(shown, sizeof(shown), "%s/manifest.json", dir); /* for messages */
	m = load_json(manifest);
	tool = cJSON_GetObjectItemCaseSensitive(m, "tool");
	args = cJSON_GetObjectItemCaseSensitive(m, "argv");
	inputs = cJSON_GetObjectItemCaseSensitive(m, "inputs");
	cwd = cJSON_GetObjectItemCaseSensitive(m, "cwd");
	command = cJSON_GetObjectItemCaseSensitive(m, "command");
	if (!cJSON_IsString(tool) || strcmp(tool->valuestring, "p304") != 0 ||
	    !cJSON_IsArray(args) || !cJSON_IsArray(inputs)) {
		code = p304_error_set(err, P304_ERR_INPUT, shown, 0,
			_("not a manifest of p304 (expected \"tool\", \"argv\", \"inputs\")"));
		goto out;
	}
	if (!(rep->command = strdup(cJSON_IsString(command) ? command->valuestring : "")))
		goto nomem;
	rep->ninputs = (size_t)cJSON_GetArraySize(inputs);
	/* the command ran there and its inputs are recorded relative to it */
	if (cJSON_IsString(cwd) && cwd->valuestring[0]) {
		if (stat(cwd->valuestring, &st) == 0 && S_ISDIR(st.st_mode))
			runin = cwd->valuestring;
		else if (add_line(&rep->notes, &rep->nnotes,
				  "recorded working directory %s is gone; paths are read from here",
				  cwd->valuestring) != P304_OK)
			goto nomem;
	}
	{
		/* $TMPDIR as every program (/tmp by default); absolute, since
		 * the rerun runs in the recorded folder */
		const char *tmpdir = getenv("TMPDIR");

		snprintf(scratch, sizeof(scratch), "%s/p304-verify-XXXXXX",
			 tmpdir && tmpdir[0] == '/' && strlen(tmpdir) < PATH_MAX - 64 ? tmpdir : "/tmp");
	}
	if (!mkdtemp(scratch)) {
		code = p304_error_set(err, P304_ERR_IO, NULL, 0,
				      "cannot create a scratch folder: %s", strerror(errno));
		goto out;
	}
	made_scratch = 1;
	snprintf(outdir, sizeof(outdir), "%s/out", scratch);
	/* refused before anything runs */
	if ((code = rebuild_argv(args, outdir, shown, &argv, err)) != P304_OK)
		goto out;
	cJSON_ArrayForEach(it, inputs) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "role");
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(it, "sha256");
		const char *role = cJSON_IsString(r) ? r->valuestring : "";
		char now[65], *path;
		p304_error e;

		if (!cJSON_IsString(p) || !cJSON_IsString(h))
			continue;
		if (!(path = input_path(runin, p->valuestring)))
			goto nomem;
		if (p304_sha256_file(path, now, &e) != P304_OK)
			rc = REPORT(rep, "input %s %s: %s", role, p->valuestring, e.message);
		else if (strcmp(now, h->valuestring) != 0)
			rc = REPORT(rep, "input %s %s changed: sha256 recorded %.12s…, now %.12s…",
				    role, p->valuestring, h->valuestring, now);
		else
			rc = P304_OK;
		free(path);
		if (rc != P304_OK)
			goto nomem;
	}
	rc = rerun(self, argv, runin);
	if (rc != 0) {
		if (REPORT(rep, "recomputation failed (exit code %d): run '%s' to see why", rc,
			   rep->command) != P304_OK)
			goto nomem;
		goto out;
	}
	if (!own || files_to_compare(m, outdir, own, &names, &nnames) != P304_OK)
		goto nomem;
	for (size_t k = 0; k < nnames; k++) {
		const char *name = names[k];
		char *mine = NULL, *theirs = NULL;
		size_t len = strlen(name);

		if (asprintf(&mine, "%s/%s", absdir, name) < 0 ||
		    asprintf(&theirs, "%s/%s", outdir, name) < 0) {
			free(mine);
			goto nomem;
		}
		rep->nfiles++;
		if (access(theirs, F_OK) != 0)
			rc = REPORT(rep, "%s: not produced by the recomputation", name);
		else if (access(mine, F_OK) != 0)
			rc = REPORT(rep, "%s: listed in the manifest but missing from the set", name);
		else if (same_file(mine, theirs))
			rc = P304_OK;
		else if (len > 5 && !strcmp(name + len - 5, ".json")) {
			diff_json(rep, name, mine, theirs);
			rc = P304_OK;
		} else
			rc = REPORT(rep, "%s: differs from the recomputation", name);
		free(mine);
		free(theirs);
		if (rc != P304_OK)
			goto nomem;
	}
	goto out;
nomem:
	code = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, "out of memory");
out:
	if (made_scratch)
		remove_tree(scratch);
	free(names);
	free(argv);
	cJSON_Delete(own);
	cJSON_Delete(m);
	return code;
}

void p304_verify_report_release(p304_verify_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->nlines; i++)
		free(rep->lines[i]);
	for (size_t i = 0; i < rep->nnotes; i++)
		free(rep->notes[i]);
	free(rep->lines);
	free(rep->notes);
	free(rep->command);
	memset(rep, 0, sizeof(*rep));
}
