/*
 * cmd_verify.c - `p304 verify DIR`: reproducibility of a published set. Reads
 * DIR/manifest.json, checks the SHA-256 of every input, reruns the recorded
 * command (same arguments, same working directory) into a scratch folder and
 * compares file by file; for a JSON result, row by row.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* xgettext:no-c-format */
static const char usage[] =
	N_("usage: p304 verify DIR [-q]\n"
	"\n"
	"Checks that an output set of p304 can be reproduced: reads DIR/manifest.json,\n"
	"checks the SHA-256 of every input it lists, reruns the recorded command in\n"
	"the recorded working directory into a scratch folder, and compares every\n"
	"file (manifest.json aside). Prints 'identical', or exactly which inputs\n"
	"changed and which rows differ.\n"
	"\n"
	"Exit codes: 0 identical, 2 usage, 3 not a p304 set, 5 file error,\n"
	"6 differences found (changed input or different result).\n");

static int problems;

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	va_list ap;

	printf("  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	problems++;
}

static cJSON *load_json(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;
	cJSON *j;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
	    !(buf = malloc((size_t)len + 1))) {
		fclose(fp);
		return NULL;
	}
	if (fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	buf[len] = '\0';
	fclose(fp);
	j = cJSON_Parse(buf);
	free(buf);
	return j;
}

static int same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
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

/* Row by row: every field of every row, keyed by code. */
static void diff_json(const char *name, const char *a_path, const char *b_path)
{
	cJSON *a = load_json(a_path), *b = load_json(b_path), *it;
	const cJSON *ra, *rb;
	char va[128], vb[128];

	if (!a || !b) {
		report(_("%s: differs (not readable as JSON)"), name);
		goto out;
	}
	for (it = a->child; it; it = it->next) {
		const cJSON *o = cJSON_GetObjectItemCaseSensitive(b, it->string);

		if (cJSON_IsArray(it))
			continue;
		if (!o || !cJSON_Compare(it, o, 1)) {
			value_text(it, va, sizeof(va));
			value_text(o, vb, sizeof(vb));
			report(_("%s: %s %s, recomputed %s"), name, it->string, va, vb);
		}
	}
	ra = cJSON_GetObjectItemCaseSensitive(a, "rows");
	rb = cJSON_GetObjectItemCaseSensitive(b, "rows");
	cJSON_ArrayForEach(it, ra) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code"), *other = NULL, *f;

		for (const cJSON *r = rb ? rb->child : NULL; r; r = r->next) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "code");

			if (cJSON_IsString(c) && cJSON_IsString(code) &&
			    !strcmp(c->valuestring, code->valuestring))
				other = r;
		}
		if (!other) {
			report(_("%s: row %s is not in the recomputation"), name,
			       cJSON_IsString(code) ? code->valuestring : "?");
			continue;
		}
		for (f = it->child; f; f = f->next) {
			const cJSON *g = cJSON_GetObjectItemCaseSensitive(other, f->string);

			if (g && cJSON_Compare(f, g, 1))
				continue;
			value_text(f, va, sizeof(va));
			value_text(g, vb, sizeof(vb));
			report(_("%s: row %s: %s %s, recomputed %s"), name,
			       cJSON_IsString(code) ? code->valuestring : "?", f->string, va, vb);
		}
	}
	cJSON_ArrayForEach(it, rb) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(it, "code");
		int found = 0;

		for (const cJSON *r = ra ? ra->child : NULL; r; r = r->next) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "code");

			found |= cJSON_IsString(c) && cJSON_IsString(code) &&
				 !strcmp(c->valuestring, code->valuestring);
		}
		if (!found)
			report(_("%s: row %s appears in the recomputation only"), name,
			       cJSON_IsString(code) ? code->valuestring : "?");
	}
out:
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* Reruns this program with argv (no shell), silently; returns its exit code. */
static int rerun(const char *const *args)
{
	posix_spawn_file_actions_t fa;
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	pid_t pid;
	int status;

	/* The resolved path (under valgrind /proc/self/exe is valgrind). */
	if (len <= 0)
		return -1;
	self[len] = '\0';
	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, self, &fa, NULL, (char *const *)args, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void remove_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (d) {
		while ((e = readdir(d)) != NULL) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (unlink(path) != 0)
				remove_tree(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

int cmd_verify(int argc, char **argv)
{
	const char *dir = NULL;
	char absdir[PATH_MAX], manifest[PATH_MAX + 32], scratch[] = "/tmp/p304-verify-XXXXXX";
	char outdir[64], path[PATH_MAX * 2];
	cJSON *m = NULL, *args, *inputs, *it;
	const cJSON *tool, *cwd;
	const char **nargv = NULL;
	size_t nargs = 0, nfiles = 0;
	int quiet = 0, code = EXIT_INTERNAL, rc;

	{
		const struct cli_option opts[] = {
			{ "-q|--quiet", NULL, NULL, &quiet },
			{ NULL, NULL, NULL, NULL }
		};
		size_t nop;

		if ((rc = cli_parse_options("verify", usage, argc, argv, opts, &dir, 1,
					    _("one folder at a time"), &nop)) >= 0)
			return rc;
	}
	if (!dir)
		return cli_usage_error("verify", _("missing DIR (an output folder of p304)"));
	if (!realpath(dir, absdir)) {
		fprintf(stderr, _("p304: %s: %s\n"), dir, strerror(errno));
		return EXIT_IO;
	}
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", absdir);
	m = load_json(manifest);
	tool = m ? cJSON_GetObjectItemCaseSensitive(m, "tool") : NULL;
	args = m ? cJSON_GetObjectItemCaseSensitive(m, "argv") : NULL;
	inputs = m ? cJSON_GetObjectItemCaseSensitive(m, "inputs") : NULL;
	cwd = m ? cJSON_GetObjectItemCaseSensitive(m, "cwd") : NULL;
	if (!cJSON_IsString(tool) || strcmp(tool->valuestring, "p304") != 0 ||
	    !cJSON_IsArray(args) || !cJSON_IsArray(inputs)) {
		fprintf(stderr, _("p304: %s: not a manifest of p304 (expected \"tool\", \"argv\", \"inputs\")\n"),
			manifest);
		cJSON_Delete(m);
		return EXIT_INPUT;
	}
	/* Inputs are recorded relative to the folder the command ran in. */
	if (cJSON_IsString(cwd) && cwd->valuestring[0] && chdir(cwd->valuestring) != 0)
		printf(_("  note: recorded working directory %s is gone; paths are read from here\n"),
		       cwd->valuestring);
	if (!quiet)
		printf("%s: %s\n", dir, cJSON_GetObjectItemCaseSensitive(m, "command")
			? cJSON_GetObjectItemCaseSensitive(m, "command")->valuestring : "");
	cJSON_ArrayForEach(it, inputs) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "role");
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(it, "sha256");
		char now[65];
		p304_error err;

		if (!cJSON_IsString(p) || !cJSON_IsString(h))
			continue;
		if (p304_sha256_file(p->valuestring, now, &err) != P304_OK)
			report(_("input %s %s: %s"), cJSON_IsString(r) ? r->valuestring : "",
			       p->valuestring, err.message);
		else if (strcmp(now, h->valuestring) != 0)
			report(_("input %s %s changed: sha256 recorded %.12s…, now %.12s…"),
			       cJSON_IsString(r) ? r->valuestring : "", p->valuestring,
			       h->valuestring, now);
	}
	/* Rerun the recorded command into a scratch folder. */
	if (!mkdtemp(scratch)) {
		fprintf(stderr, _("p304: cannot create a scratch folder: %s\n"), strerror(errno));
		goto out;
	}
	snprintf(outdir, sizeof(outdir), "%s/out", scratch);
	nargv = calloc((size_t)cJSON_GetArraySize(args) + 4, sizeof(char *));
	if (!nargv)
		goto out;
	nargv[nargs++] = "p304";
	{
		int options = 1;

		/* -q right after the command name, and -o's folder replaced
		 * only before a "--": after it both would be operands */
		cJSON_ArrayForEach(it, args) {
			if (!cJSON_IsString(it))
				continue;
			nargv[nargs++] = it->valuestring;
			if (nargs == 2)
				nargv[nargs++] = "-q";
			else if (options && !strcmp(it->valuestring, "--"))
				options = 0;
			else if (options && !strcmp(it->valuestring, "-o") && it->next) {
				nargv[nargs++] = outdir;
				it = it->next;
			}
		}
	}
	nargv[nargs] = NULL;
	rc = rerun(nargv);
	if (rc != 0) {
		report(_("recomputation failed (exit code %d): run '%s' to see why"), rc,
		       cJSON_GetObjectItemCaseSensitive(m, "command")->valuestring);
	} else {
		struct dirent **names = NULL;
		int n = scandir(absdir, &names, NULL, alphasort); /* stable report order */

		for (int k = 0; k < n; k++) {
			const char *name = names[k]->d_name;
			char mine[PATH_MAX * 2];
			size_t len = strlen(name);

			if (name[0] == '.' || !strcmp(name, "manifest.json"))
				continue;
			nfiles++;
			snprintf(mine, sizeof(mine), "%s/%s", absdir, name);
			snprintf(path, sizeof(path), "%s/%s", outdir, name);
			if (access(path, F_OK) != 0)
				report(_("%s: not produced by the recomputation"), name);
			else if (same_file(mine, path))
				continue;
			else if (len > 5 && !strcmp(name + len - 5, ".json"))
				diff_json(name, mine, path);
			else
				report(_("%s: differs from the recomputation"), name);
		}
		for (int k = 0; k < n; k++)
			free(names[k]);
		free(names);
	}
	if (problems == 0) {
		if (!quiet)
			printf(_("  identical: %zu files recomputed from %d inputs\n"), nfiles,
			       cJSON_GetArraySize(inputs));
		code = EXIT_OK;
	} else {
		printf(Q_("  %d difference\n", "  %d differences\n", problems), problems);
		code = EXIT_DIFFERS;
	}
out:
	remove_tree(scratch);
	free(nargv);
	cJSON_Delete(m);
	return code;
}
