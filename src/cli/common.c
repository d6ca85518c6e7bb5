/*
 * common.c - what every subcommand prints: errors with their place in the
 * file, warnings, amounts in the French way, and the allocation summary.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "cli.h"

#ifndef P304_DATADIR
#define P304_DATADIR "inputs"
#endif

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, _("p304 %s: "), cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("; try 'p304 %s --help'\n"), cmd);
	return EXIT_USAGE;
}

/* Echoes line `line` of `path` under the message, as SQLite's shell does, so
 * the officer sees the offending row without opening the file. */
static void echo_line(const char *path, long line)
{
	FILE *fp = fopen(path, "rb");
	char buf[4096];
	long n = 1;

	if (!fp)
		return;
	while (fgets(buf, sizeof(buf), fp)) {
		size_t len = strlen(buf);
		int whole = len > 0 && buf[len - 1] == '\n';

		if (n == line) {
			while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
				buf[--len] = '\0';
			if (len > 160)
				strcpy(buf + 157, "...");
			fprintf(stderr, "  %ld | %s\n", line, buf);
			break;
		}
		if (whole)
			n++;
	}
	fclose(fp);
}

int cli_fail(const p304_error *err)
{
	if (err->file[0] && err->line > 0)
		fprintf(stderr, _("p304: %s:%ld: %s\n"), err->file, err->line, err->message);
	else if (err->file[0])
		fprintf(stderr, _("p304: %s: %s\n"), err->file, err->message);
	else
		fprintf(stderr, _("p304: %s\n"), err->message);
	if (err->file[0] && err->line > 0 && err->code == P304_ERR_INPUT)
		echo_line(err->file, err->line);
	switch (err->code) {
	case P304_OK: return EXIT_OK;
	case P304_ERR_USAGE: return EXIT_USAGE;
	case P304_ERR_INPUT:
	case P304_ERR_OVERFLOW: return EXIT_INPUT;
	case P304_ERR_INFEASIBLE: return EXIT_INFEASIBLE;
	case P304_ERR_IO: return EXIT_IO;
	case P304_ERR_DEPENDENCY: return EXIT_DEPENDENCY;
	case P304_ERR_NOMEM:
	case P304_ERR_INTERNAL: break;
	}
	return EXIT_INTERNAL;
}

/*
 * The reference list when a scenario names none: $P304_REFERENCE, else the
 * installed copy (<prefix>/share/p304/reference beside <prefix>/bin/p304),
 * else the source tree's inputs/reference (a build that was not installed).
 */
const char *cli_default_reference(void)
{
	static char installed[PATH_MAX + 64];
	const char *env = getenv("P304_REFERENCE");
	char exe[PATH_MAX];
	ssize_t len;

	if (env && env[0])
		return env;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(installed, sizeof(installed),
				 "%s/../share/p304/reference/collectivites.csv", exe);
			if (access(installed, R_OK) == 0)
				return installed;
		}
	}
	return P304_DATADIR "/reference/collectivites.csv";
}

void cli_tiles_path(char *buf, size_t size)
{
	const char *ref = cli_default_reference(), *slash = strrchr(ref, '/');

	snprintf(buf, size, "%.*stuiles.csv", slash ? (int)(slash - ref + 1) : 0, ref);
}

const char *cli_eur(char *buf, size_t size, long long v)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%lld", v < 0 ? -v : v);
	size_t o = 0;

	if (v < 0)
		buf[o++] = '-';
	for (int i = 0; i < len && o + 8 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = digits[i];
	}
	snprintf(buf + o, size - o, " €");
	return buf;
}

const char *cli_decimal(char *buf, size_t size, long double v, int decimals)
{
	char *dot;

	snprintf(buf, size, "%.*Lf", decimals, v);
	if ((dot = strchr(buf, '.')) != NULL)
		*dot = ',';
	return buf;
}

void cli_print_warnings(const p304_result *res)
{
	for (size_t i = 0; i < res->nwarnings; i++)
		fprintf(stderr, _("p304: warning: %s\n"), res->warnings[i]);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void cli_print_summary(FILE *fp, const p304_result *res)
{
	const p304_scenario *sc = res->scenario;
	const p304_summary *s = &res->summary;
	int64_t *amounts = malloc((res->nrows ? res->nrows : 1) * sizeof(int64_t));
	char a[48], b[48], c[48];

	fprintf(fp, "%s (%s)\n", sc->title, sc->id);
	fprintf(fp, _("  participants         %zu\n"), res->nrows);
	fprintf(fp, _("  envelope             %s\n"), cli_eur(a, sizeof(a), sc->envelope_eur));
	fprintf(fp, _("  allocated            %s (not allocated: %s)\n"),
		cli_eur(a, sizeof(a), s->allocated_eur),
		cli_eur(b, sizeof(b), s->unallocated_eur));
	fprintf(fp, _("  λ (multiplier)       %s\n"), cli_decimal(a, sizeof(a), s->lambda, 2));
	if (sc->floor_eur != P304_NO_BOUND)
		fprintf(fp, _("  at the floor         %zu (floor %s)\n"), s->n_floor,
			cli_eur(a, sizeof(a), sc->floor_eur));
	else
		fprintf(fp, _("  floor                none\n"));
	if (sc->ceiling_eur != P304_NO_BOUND)
		fprintf(fp, _("  at the ceiling       %zu (ceiling %s)\n"), s->n_ceiling,
			cli_eur(a, sizeof(a), sc->ceiling_eur));
	else
		fprintf(fp, _("  ceiling              none\n"));
	if (amounts && res->nrows > 0) {
		size_t n = res->nrows;
		int64_t med;

		for (size_t i = 0; i < n; i++)
			amounts[i] = res->rows[i].alloc.amount_eur;
		qsort(amounts, n, sizeof(int64_t), cmp_i64);
		/* The median of an even count is the mean of the middle two,
		 * rounded down to the euro. */
		med = n % 2 ? amounts[n / 2] : (amounts[n / 2 - 1] + amounts[n / 2]) / 2;
		fprintf(fp, _("  min / median / max   %s / %s / %s\n"),
			cli_eur(a, sizeof(a), amounts[0]), cli_eur(b, sizeof(b), med),
			cli_eur(c, sizeof(c), amounts[n - 1]));
	}
	free(amounts);
	fprintf(fp, _("  criteria and sources\n"));
	for (size_t k = 0; k < sc->ncriteria; k++)
		fprintf(fp, "    %-24s %6s %%  %s\n", sc->criteria[k].column,
			cli_decimal(a, sizeof(a), (long double)sc->criteria[k].weight_pct, 1),
			res->sources && res->sources[k] ? res->sources[k] : _("no source given"));
}

struct manifest_ctx {
	const p304_result *res;
	const char *const *argv;
};

static p304_code write_manifest(const void *ctx, FILE *fp, p304_error *err)
{
	const struct manifest_ctx *m = ctx;

	return p304_write_manifest(m->res, m->argv, fp, err);
}

p304_code cli_write_files(const p304_input_file *in, size_t nin, const char *dir,
			  const struct cli_file *files, size_t nfiles, p304_error *err)
{
	const char **inputs = calloc(nin ? nin : 1, sizeof(char *));
	p304_outset *set = NULL;
	p304_code rc;

	if (!inputs)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (size_t i = 0; i < nin; i++)
		inputs[i] = in[i].path;
	rc = p304_outset_begin(dir, inputs, nin, &set, err);
	free(inputs);
	if (rc != P304_OK)
		return rc;
	for (size_t i = 0; i < nfiles && rc == P304_OK; i++) {
		FILE *fp = p304_outset_open(set, files[i].name, err);

		if (!fp) {
			rc = err->code;
			break;
		}
		rc = files[i].write(files[i].ctx, fp, err);
		if (fclose(fp) != 0 && rc == P304_OK)
			rc = p304_error_set(err, P304_ERR_IO, dir, 0, _("write failed"));
	}
	if (rc != P304_OK) {
		p304_outset_abort(set);
		return rc;
	}
	return p304_outset_commit(set, err);
}

p304_code cli_write_set(const p304_result *res, const char *dir,
			const char *const *argv, const struct cli_file *files,
			size_t nfiles, p304_error *err)
{
	struct manifest_ctx m = { res, argv };
	struct cli_file all[8];

	if (nfiles + 1 > sizeof(all) / sizeof(all[0]))
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0, _("too many output files"));
	memcpy(all, files, nfiles * sizeof(*files));
	all[nfiles] = (struct cli_file){ "manifest.json", write_manifest, &m };
	return cli_write_files(res->inputs, res->ninputs, dir, all, nfiles + 1, err);
}

/* Prints s left-aligned in `width` columns, counting UTF-8 characters (not
 * bytes) so accented names line up. */
static void print_padded(FILE *fp, const char *s, size_t width)
{
	size_t chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	fputs(s, fp);
	for (; chars < width; chars++)
		fputc(' ', fp);
}

void cli_print_regions(FILE *fp, const p304_region_total *t, size_t n,
		       const char *const *labels, size_t namounts)
{
	int64_t total[2] = { 0, 0 };
	size_t count = 0;
	char a[48];

	fprintf(fp, _("  by region%34s"), "");
	for (size_t k = 0; k < namounts; k++) {
		fputc(' ', fp);
		print_padded(fp, labels[k], 24);
	}
	fputc('\n', fp);
	for (size_t i = 0; i <= n; i++) {
		const char *code = i < n ? t[i].code : "";
		const char *name = i < n ? t[i].name : _("TOTAL");

		fprintf(fp, "    %-3s ", code);
		print_padded(fp, name, 28);
		fprintf(fp, " %4zu", i < n ? t[i].n : count);
		for (size_t k = 0; k < namounts; k++) {
			int64_t v = i < n ? t[i].amount[k] : total[k];

			fprintf(fp, " %24s", cli_eur(a, sizeof(a), v));
			if (i < n)
				total[k] += v;
		}
		if (i < n)
			count += t[i].n;
		fputc('\n', fp);
	}
}

const char **cli_argv_with_output(int argc, char **argv, const char *outdir)
{
	const char **v = calloc((size_t)argc + 4, sizeof(char *));
	size_t n = 0;
	int options = 1;

	if (!v)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (options && i > 0 && !strcmp(argv[i], "--")) {
			/* "-o DIR" before the "--": after it, `p304 verify`
			 * would read it as an operand */
			v[n++] = "-o";
			v[n++] = outdir;
			options = 0;
		} else if (options && (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output"))) {
			i++;
			continue;
		} else if (options && (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))) {
			continue;
		}
		v[n++] = argv[i];
	}
	if (options) {
		v[n++] = "-o";
		v[n++] = outdir;
	}
	v[n] = NULL;
	return v;
}

/* Does `arg` spell one of the '|'-separated `names`? */
static int spells(const char *names, const char *arg)
{
	size_t len = strlen(arg);

	for (const char *p = names; *p;) {
		const char *end = strchr(p, '|');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && !strncmp(p, arg, n))
			return 1;
		p += n + (end != NULL);
	}
	return 0;
}

int cli_parse_options(const char *cmd, const char *usage, int argc, char **argv,
		      const struct cli_option *opts, const char **operands,
		      size_t max, const char *extra, size_t *n)
{
	int options = 1;

	*n = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct cli_option *o = NULL;

		if (options && a[0] == '-' && a[1]) {
			if (!strcmp(a, "--")) {
				options = 0;
				continue;
			}
			if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				fputs(_(usage), stdout);
				return EXIT_OK;
			}
			for (o = opts; o->names && !spells(o->names, a); o++)
				;
			if (!o->names)
				return cli_usage_error(cmd, _("unknown option '%s'"), a);
			if (!o->arg) {
				*o->flag = 1;
			} else if (i + 1 >= argc) {
				return cli_usage_error(cmd, _("%s needs %s"), a, o->arg);
			} else {
				*o->value = argv[++i];
			}
			continue;
		}
		if (*n >= max)
			return cli_usage_error(cmd, _("%s ('%s' is extra)"), extra, a);
		operands[(*n)++] = a;
	}
	return -1;
}

const char *cli_count(char *buf, size_t size, size_t n, const char *one, const char *many)
{
	snprintf(buf, size, "%zu %s", n, Q_(one, many, n));
	return buf;
}
