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
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <p304/io.h>

#include "format/fileutil.h"
#include "gettext.h"

extern char **environ;

/* What verify replays: the subcommands that write output sets and, for
 * each, the options that take a value and the flags: every option that
 * changes what a command writes (`allocate --no-xlsx` was refused, issue
 * 19). -q and -o are the verifier's own; anything else recorded is refused. */
struct replay {
	const char *name;
	const char *valued[8];
	const char *flags[4];
};

/* Every option of these commands but -o, -q and -h: test/commands-check.sh
 * compares this table with each command's option table (a command's
 * --no-xlsx, recorded in its manifest, could not be verified). */
static const struct replay replays[] = {
	{ "allocate", { "--by", "--complement" }, { "--xlsx", "--no-xlsx" } },
	{ "reconcile", { "--needs", "--plan", "--caps", "--by", "--ledger", "--year" },
	  { "--xlsx", "--no-xlsx", "--no-allocation-warnings", "--record" } },
	{ "compare", { NULL }, { "--xlsx", "--no-xlsx" } },
	{ "sweep", { "--samples", "--seed", "--threads", "--weights", "--data", "--floor",
		     "--ceiling" }, { NULL } },
	{ "avenant", { "--consumed", "--rule", "--rate", "--ledger", "--year" }, { "--record" } },
	{ "note", { "--compare", "--needs", "--date", "--ledger", "--year" }, { "--no-allocation-warnings" } },
};

/* A manifest is data from outside: it cannot make verify run for minutes.
 * A sweep is replayed up to this many samples (a few seconds), and any
 * recomputation is stopped after P304_VERIFY_SECONDS (default below). */
#define REPLAY_MAX_SAMPLES 1000000L
#define REPLAY_SECONDS 120

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

/* Fields of one object against the recomputation's: those that differ or
 * are missing on either side (a deleted "amount_eur" passed, issue 19).
 * `what` prefixes each line ("repartition.json: row 49"). */
static p304_code diff_object(p304_verify_report *rep, const char *what, const cJSON *a,
			     const cJSON *b, int skip_rows)
{
	char va[128], vb[128];
	const cJSON *it;

	for (it = a ? a->child : NULL; it; it = it->next) {
		const cJSON *o = it->string ? cJSON_GetObjectItemCaseSensitive(b, it->string) : NULL;

		if (!it->string || (skip_rows && !strcmp(it->string, "rows")))
			continue;
		if (o && cJSON_Compare(it, o, 1))
			continue;
		value_text(it, va, sizeof(va));
		value_text(o, vb, sizeof(vb));
		if (REPORT(rep, _("%s: %s %s, recomputed %s"), what, it->string, va, vb) != P304_OK)
			return P304_ERR_NOMEM;
	}
	for (it = b ? b->child : NULL; it; it = it->next) {
		if (!it->string || (skip_rows && !strcmp(it->string, "rows")) ||
		    cJSON_GetObjectItemCaseSensitive(a, it->string))
			continue;
		value_text(it, vb, sizeof(vb));
		if (REPORT(rep, _("%s: %s is missing, recomputed %s"), what, it->string, vb) != P304_OK)
			return P304_ERR_NOMEM;
	}
	return P304_OK;
}

/* Explains a JSON file whose bytes differ: every top-level key, then row by
 * row keyed by code. The bytes decide; this only says where. */
static p304_code diff_json(p304_verify_report *rep, const char *name, const char *a_path,
			   const char *b_path)
{
	cJSON *a = load_json(a_path), *b = load_json(b_path), *it;
	const cJSON *ra, *rb;
	p304_code rc = P304_OK;

	if (!a || !b) {
		rc = REPORT(rep, _("%s: not readable as JSON"), name);
		goto out;
	}
	if ((rc = diff_object(rep, name, a, b, 1)) != P304_OK)
		goto out;
	ra = cJSON_GetObjectItemCaseSensitive(a, "rows");
	rb = cJSON_GetObjectItemCaseSensitive(b, "rows");
	cJSON_ArrayForEach(it, ra) {
		const char *code = code_of(it);
		const cJSON *other = row_with_code(rb, code);
		char *what = NULL;

		if (!other) {
			rc = REPORT(rep, _("%s: row %s is not in the recomputation"), name, code ? code : "?");
		} else if (asprintf(&what, _("%s: row %s"), name, code ? code : "?") < 0) {
			rc = P304_ERR_NOMEM;
		} else {
			rc = diff_object(rep, what, it, other, 0);
			free(what);
		}
		if (rc != P304_OK)
			goto out;
	}
	cJSON_ArrayForEach(it, rb) {
		if (!row_with_code(ra, code_of(it)) &&
		    (rc = REPORT(rep, _("%s: row %s appears in the recomputation only"), name,
				 code_of(it) ? code_of(it) : "?")) != P304_OK)
			goto out;
	}
out:
	cJSON_Delete(a);
	cJSON_Delete(b);
	return rc;
}

static int samples_replayable(const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	/* anything else is refused by sweep itself, quickly */
	return errno != 0 || *end || n <= REPLAY_MAX_SAMPLES;
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
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet") || !strcmp(a, "--record")) {
			/* --record (issue 22): the replay reads the ledger, never
			 * writes to it */
			continue;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			/* the set's own folder: the scratch folder replaces it */
			if (it->next)
				it = it->next;
		} else if (in_list(r->flags, 4, a)) {
			v[k++] = a;
		} else if (in_list(r->valued, 8, a) && it->next) {
			v[k++] = a;
			it = it->next;
			v[k++] = it->valuestring;
			if (!strcmp(a, "--samples") && !samples_replayable(it->valuestring)) {
				rc = p304_error_set(err, P304_ERR_INPUT, manifest, 0,
					_("the recorded sweep has --samples %s; verify replays at most "
					  "%ld samples, so that a manifest cannot keep it busy for minutes"),
					it->valuestring, REPLAY_MAX_SAMPLES);
				goto fail;
			}
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

/* A verify stopped by Ctrl-C, SIGTERM or a closed terminal leaves nothing
 * behind (issue 19): the signal is noted, the rerun stopped, the scratch
 * folder removed, then the signal delivered again. */
static volatile sig_atomic_t stop_signal;

static void note_signal(int sig)
{
	stop_signal = sig;
}

static const int caught[] = { SIGINT, SIGTERM, SIGHUP };

static void catch_signals(struct sigaction *saved)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal;
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++) {
		sigaction(caught[i], &sa, &saved[i]);
		if (saved[i].sa_handler == SIG_IGN) /* nohup, a background job */
			sigaction(caught[i], &saved[i], NULL);
	}
}

static void release_signals(const struct sigaction *saved)
{
	for (size_t i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
		sigaction(caught[i], &saved[i], NULL);
	if (stop_signal)
		raise(stop_signal);
}

/* P304_VERIFY_SECONDS: a number of seconds, decimals allowed (tests). */
static double replay_seconds(void)
{
	const char *v = getenv("P304_VERIFY_SECONDS");
	double n = v ? strtod(v, NULL) : 0;

	return n > 0 && n <= 86400 ? n : REPLAY_SECONDS;
}

/* Reruns p304 with argv (no shell), silently, in folder `cwd` (NULL: here);
 * returns its exit code, -1 when it cannot start, -2 when it ran out of
 * time or verify was asked to stop (the rerun is then killed). */
static int rerun(const char *self, const char *const *argv, const char *cwd)
{
	posix_spawn_file_actions_t fa;
	struct timespec start, now, pause = { 0, 10 * 1000 * 1000 };
	double limit = replay_seconds();
	pid_t pid, got;
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
	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 || (got < 0 && errno == EINTR)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (stop_signal || (double)(now.tv_sec - start.tv_sec) +
				   (double)(now.tv_nsec - start.tv_nsec) / 1e9 >= limit) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return -2;
		}
		nanosleep(&pause, NULL);
	}
	if (got < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The command as verify runs it, for the report: the words quoted as a shell
 * would need them, the scratch output folder left out. */
static char *replayed_text(const char *const *argv, const char *outdir)
{
	char *text = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&text, &size);

	if (!fp)
		return NULL;
	for (size_t i = 0; argv[i]; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "-o") && argv[i + 1] && !strcmp(argv[i + 1], outdir)) {
			i++;
			continue;
		}
		if (i)
			fputc(' ', fp);
		if (w[0] && !w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_./:=,+%@")]) {
			fputs(w, fp);
			continue;
		}
		fputc('\'', fp);
		for (const char *c = w; *c; c++)
			fputs(*c == '\'' ? "'\\''" : (char[]){ *c, 0 }, fp);
		fputc('\'', fp);
	}
	return fclose(fp) == 0 ? text : (free(text), NULL);
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

/* The files the recomputation wrote, sorted: every file the command writes,
 * known from the command itself, not from the manifest (whose list was
 * trimmed to let a tampered set pass, issue 19). manifest.json holds the
 * time and the folders: its list of files is compared instead. */
static p304_code files_written(const char *outdir, cJSON *own, const char ***names, size_t *n)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	size_t cap = 16;

	*n = 0;
	if (!(*names = malloc(cap * sizeof(char *)))) {
		if (d)
			closedir(d);
		return P304_ERR_NOMEM;
	}
	while (d && (e = readdir(d)) != NULL) {
		const cJSON *copy;

		if (e->d_name[0] == '.' || !strcmp(e->d_name, "manifest.json"))
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
		if (!cJSON_AddItemToArray(own, cJSON_CreateString(e->d_name)) ||
		    !(copy = cJSON_GetArrayItem(own, cJSON_GetArraySize(own) - 1))) {
			closedir(d);
			return P304_ERR_NOMEM;
		}
		(*names)[(*n)++] = copy->valuestring;
	}
	if (d)
		closedir(d);
	qsort(*names, *n, sizeof(char *), cmp_names);
	return P304_OK;
}

/* "files" of a manifest as one line of text, "(absent)" without it. */
static char *files_text(const cJSON *m)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(m, "files");

	return f ? cJSON_PrintUnformatted(f) : strdup("(absent)");
}

/* The set's manifest must list what the command writes, as the
 * recomputation's manifest does: fewer (an emptied list), more, or another
 * spelling (./repartition.csv) is a difference. A manifest written before
 * manifests listed files has no list: a note, its files are compared all
 * the same. */
static p304_code compare_lists(p304_verify_report *rep, const cJSON *mine, const char *outdir)
{
	char *path = NULL, *a = NULL, *b = NULL;
	cJSON *theirs = NULL;
	p304_code rc = P304_OK;

	if (asprintf(&path, "%s/manifest.json", outdir) < 0)
		return P304_ERR_NOMEM;
	theirs = load_json(path);
	free(path);
	if (!cJSON_GetObjectItemCaseSensitive(mine, "files")) {
		rc = add_line(&rep->notes, &rep->nnotes, "%s",
			      _("the manifest does not list its files (a set written before they were "
				"listed): every file the command writes is compared"));
	} else if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(mine, "files"),
				  cJSON_GetObjectItemCaseSensitive(theirs, "files"), 1)) {
		a = files_text(mine);
		b = files_text(theirs);
		rc = REPORT(rep, _("manifest.json: lists the files %s, the command writes %s"),
			    a ? a : "?", b ? b : "?");
	}
	cJSON_free(a);
	cJSON_free(b);
	cJSON_Delete(theirs);
	return rc;
}

/* An input path as recorded: relative to the recorded working folder. */
static char *input_path(const char *cwd, const char *path)
{
	char *p;

	if (path[0] == '/' || !cwd)
		return strdup(path);
	return asprintf(&p, "%s/%s", cwd, path) < 0 ? NULL : p;
}

/* Every input's SHA-256 against the manifest's. */
static p304_code check_inputs(p304_verify_report *rep, const cJSON *inputs, const char *runin)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, inputs) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "role");
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(it, "sha256");
		const char *role = cJSON_IsString(r) ? r->valuestring : "";
		char now[65], *path;
		p304_error e;
		p304_code rc;

		if (stop_signal)
			return P304_OK;
		if (!cJSON_IsString(p) || !cJSON_IsString(h))
			continue;
		if (!(path = input_path(runin, p->valuestring)))
			return P304_ERR_NOMEM;
		p304_error_clear(&e);
		if (p304_sha256_file(path, now, &e) != P304_OK)
			rc = REPORT(rep, _("input %s %s: %s"), role, p->valuestring, e.message);
		else if (strcmp(now, h->valuestring) != 0)
			rc = REPORT(rep, _("input %s %s changed: sha256 recorded %.12s…, now %.12s…"),
				    role, p->valuestring, h->valuestring, now);
		else
			rc = P304_OK;
		free(path);
		if (rc != P304_OK)
			return rc;
	}
	return P304_OK;
}

/* Each file the command writes, byte for byte: bytes that differ are a
 * difference, always; for JSON the lines after it say where. */
static p304_code compare_files(p304_verify_report *rep, const char *absdir, const char *outdir,
			       const char *const *names, size_t nnames)
{
	for (size_t k = 0; k < nnames && !stop_signal; k++) {
		const char *name = names[k];
		char *mine = NULL, *theirs = NULL;
		size_t len = strlen(name);
		struct stat st;
		p304_code rc = P304_OK;

		if (asprintf(&mine, "%s/%s", absdir, name) < 0 ||
		    asprintf(&theirs, "%s/%s", outdir, name) < 0) {
			free(mine);
			return P304_ERR_NOMEM;
		}
		rep->nfiles++;
		if (lstat(mine, &st) != 0 || !S_ISREG(st.st_mode))
			rc = REPORT(rep, _("%s: written by the command but missing from the set"), name);
		else if (!same_file(mine, theirs) &&
			 (rc = REPORT(rep, _("%s: differs from the recomputation"), name)) == P304_OK &&
			 len > 5 && !strcmp(name + len - 5, ".json"))
			rc = diff_json(rep, name, mine, theirs);
		free(mine);
		free(theirs);
		if (rc != P304_OK)
			return rc;
	}
	return P304_OK;
}

/* A folder for the rerun under $TMPDIR (/tmp by default); absolute, since
 * the rerun runs in the recorded folder. */
static p304_code make_scratch(char *scratch, size_t size, p304_error *err)
{
	const char *tmpdir = getenv("TMPDIR");

	snprintf(scratch, size, "%s/p304-verify-XXXXXX",
		 tmpdir && tmpdir[0] == '/' && strlen(tmpdir) < PATH_MAX - 64 ? tmpdir : "/tmp");
	if (!mkdtemp(scratch))
		return p304_error_set(err, P304_ERR_IO, NULL, 0,
				      _("cannot create a scratch folder: %s"), strerror(errno));
	return P304_OK;
}

/* The manifest's working folder, if it is still there. */
static p304_code recorded_cwd(p304_verify_report *rep, const cJSON *cwd, const char **runin)
{
	struct stat st;

	*runin = NULL;
	if (!cJSON_IsString(cwd) || !cwd->valuestring[0])
		return P304_OK;
	if (stat(cwd->valuestring, &st) == 0 && S_ISDIR(st.st_mode)) {
		*runin = cwd->valuestring;
		return P304_OK;
	}
	return add_line(&rep->notes, &rep->nnotes,
			_("recorded working directory %s is gone; paths are read from here"),
			cwd->valuestring);
}

static p304_code replay_and_compare(p304_verify_report *rep, const cJSON *m, const char *self,
				    const char *const *argv, const char *runin,
				    const char *absdir, const char *outdir)
{
	const char **names = NULL;
	size_t nnames = 0;
	cJSON *own = cJSON_CreateArray();
	p304_code rc;
	int code = rerun(self, argv, runin);

	if (code == -2 && !stop_signal) {
		rc = REPORT(rep, _("the recomputation took more than %g s and was stopped: "
				   "run '%s' to see why"), replay_seconds(), rep->replayed);
	} else if (code != 0 && !stop_signal) {
		rc = REPORT(rep, _("recomputation failed (exit code %d): run '%s' to see why"),
			    code, rep->replayed);
	} else if (stop_signal) {
		rc = P304_OK;
	} else if (!own || files_written(outdir, own, &names, &nnames) != P304_OK) {
		rc = P304_ERR_NOMEM;
	} else if ((rc = compare_lists(rep, m, outdir)) == P304_OK) {
		rc = compare_files(rep, absdir, outdir, names, nnames);
	}
	free(names);
	cJSON_Delete(own);
	return rc;
}

p304_code p304_verify_set(const char *dir, const char *self, p304_verify_report *rep,
			  p304_error *err)
{
	char absdir[PATH_MAX], manifest[PATH_MAX + 32], shown[PATH_MAX + 32];
	char scratch[PATH_MAX], outdir[PATH_MAX + 8];
	cJSON *m = NULL, *args, *inputs;
	const cJSON *tool, *command;
	const char **argv = NULL;
	const char *runin = NULL;
	struct sigaction saved[3];
	int made_scratch = 0;
	p304_code code = P304_OK;

	memset(rep, 0, sizeof(*rep));
	if (!realpath(dir, absdir))
		return p304_error_set(err, P304_ERR_IO, dir, 0, "%s", strerror(errno));
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", absdir);
	snprintf(shown, sizeof(shown), "%s/manifest.json", dir); /* for messages */
	m = load_json(manifest);
	tool = cJSON_GetObjectItemCaseSensitive(m, "tool");
	args = cJSON_GetObjectItemCaseSensitive(m, "argv");
	inputs = cJSON_GetObjectItemCaseSensitive(m, "inputs");
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
	if (recorded_cwd(rep, cJSON_GetObjectItemCaseSensitive(m, "cwd"), &runin) != P304_OK)
		goto nomem;
	catch_signals(saved);
	if ((code = make_scratch(scratch, sizeof(scratch), err)) != P304_OK)
		goto restore;
	made_scratch = 1;
	snprintf(outdir, sizeof(outdir), "%s/out", scratch);
	/* refused before anything runs */
	if ((code = rebuild_argv(args, outdir, shown, &argv, err)) != P304_OK)
		goto restore;
	if (!(rep->replayed = replayed_text(argv, outdir)) ||
	    check_inputs(rep, inputs, runin) != P304_OK ||
	    (!stop_signal &&
	     replay_and_compare(rep, m, self, argv, runin, absdir, outdir) != P304_OK))
		code = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
restore:
	if (made_scratch)
		remove_tree(scratch);
	free(argv);
	cJSON_Delete(m);
	release_signals(saved); /* a signal caught is delivered now */
	return code;
nomem:
	code = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
out:
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
	free(rep->replayed);
	memset(rep, 0, sizeof(*rep));
}
