/*
 * common.c - what every subcommand prints: errors with their place in the
 * file, warnings, amounts in the French way, and the allocation summary.
 */
#include <iconv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

#include "cli.h"
#include "format/fileutil.h"
#include "gettext.h"

#include <p304/workflow.h>

const char *cli_text(const char *s)
{
	/* rotating buffers: a printf may show several texts at once */
	static char ring[8][2048];
	static unsigned slot;
	char *buf = ring[slot++ % 8];
	size_t o = 0, size = sizeof(ring[0]);

	if (!s)
		return "";
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < size; p++) {
		static const char hex[] = "0123456789abcdef";

		if (*p == 0x1b) {
			buf[o++] = '\\';
			buf[o++] = 'e';
		} else if (*p == '\t' || *p == '\n' || *p == '\r') {
			buf[o++] = '\\';
			buf[o++] = *p == '\t' ? 't' : *p == '\n' ? 'n' : 'r';
		} else if (*p < 0x20 || *p == 0x7f) {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[*p >> 4];
			buf[o++] = hex[*p & 15];
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* a C1 control in UTF-8 (U+009B is a CSI, as ESC [) */
			memcpy(buf + o, "\\u00", 4);
			o += 4;
			buf[o++] = hex[p[1] >> 4];
			buf[o++] = hex[p[1] & 15];
			p++;
		} else {
			buf[o++] = (char)*p;
		}
	}
	buf[o] = '\0';
	return buf;
}

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

/* The line as UTF-8: kept when it is; a Windows-1252 line (what csv_read
 * accepts and converts) converted the same way, so the echo shows "€" and
 * "é" rather than bad bytes; anything else with its bad bytes as \xNN. */
static const char *utf8_line(const char *line, char *out, size_t size)
{
	size_t inleft = strlen(line), outleft = size - 1, o;
	char *in = (char *)line, *op = out;
	iconv_t cd = iconv_open("UTF-8", "UTF-8");
	int ok;

	if (cd == (iconv_t)-1)
		return line;
	ok = iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1;
	iconv_close(cd);
	if (ok)
		return line;
	if ((cd = iconv_open("UTF-8", "CP1252")) != (iconv_t)-1) {
		in = (char *)line;
		inleft = strlen(line);
		op = out;
		outleft = size - 1;
		ok = iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1;
		iconv_close(cd);
		if (ok) {
			*op = '\0';
			return out;
		}
	}
	o = 0;
	for (const unsigned char *u = (const unsigned char *)line; *u && o + 5 < size; u++) {
		if (*u >= 0x80)
			o += (size_t)snprintf(out + o, size - o, "\\x%02X", *u);
		else
			out[o++] = (char)*u;
	}
	out[o] = '\0';
	return out;
}

/* Echoes line `line` of `path` under the message, as SQLite's shell does, so
 * the officer sees the offending row without opening the file. */
static void echo_line(const char *path, long line)
{
	FILE *fp = p304_open_regular(path, NULL);
	char buf[4096], shown[4096 * 3];
	long n = 1;

	if (!fp)
		return;
	while (fgets(buf, sizeof(buf), fp)) {
		size_t len = strlen(buf);
		int whole = len > 0 && buf[len - 1] == '\n';

		if (n == line) {
			while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
				buf[--len] = '\0';
			if (len > 160) {
				/* cut on a character boundary */
				size_t cut = 157;

				while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
					cut--;
				strcpy(buf + cut, "...");
			}
			fprintf(stderr, "  %ld | %s\n", line, cli_text(utf8_line(buf, shown, sizeof(shown))));
			break;
		}
		if (whole)
			n++;
	}
	fclose(fp);
}

int cli_fail(const p304_error *err)
{
	/* a message quotes values taken from files: shown escaped */
	if (err->file[0] && err->line > 0)
		fprintf(stderr, _("p304: %s:%ld: %s\n"), cli_text(err->file), err->line,
			cli_text(err->message));
	else if (err->file[0])
		fprintf(stderr, _("p304: %s: %s\n"), cli_text(err->file), cli_text(err->message));
	else
		fprintf(stderr, _("p304: %s\n"), cli_text(err->message));
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
	static char path[PATH_MAX + 64];
	const char *env = getenv("P304_REFERENCE");

	if (env && env[0])
		return env;
	snprintf(path, sizeof(path), "%s/reference/collectivites.csv", p304_datadir());
	return path;
}

void cli_tiles_path(char *buf, size_t size)
{
	const char *ref = cli_default_reference(), *slash = strrchr(ref, '/');

	snprintf(buf, size, "%.*stuiles.csv", slash ? (int)(slash - ref + 1) : 0, ref);
}

const char *cli_eur(char *buf, size_t size, long long v)
{
	return p304_format_eur(buf, size, (int64_t)v, " ", " €");
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
		fprintf(stderr, _("p304: warning: %s\n"), cli_text(res->warnings[i]));
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

	fprintf(fp, "%s (%s)\n", cli_text(sc->title), cli_text(sc->id));
	fprintf(fp, _("  participants         %zu\n"), res->nrows);
	/* left out for missing data: named here, not only in a warning */
	for (size_t i = 0; i < res->nexcluded; i++)
		fprintf(fp, i ? _("                       %s %s (no value in %s)\n")
			      : _("  excluded             %s %s (no value in %s)\n"),
			res->excluded[i].code, cli_text(res->excluded[i].name),
			cli_text(res->excluded[i].columns));
	fprintf(fp, _("  envelope             %s\n"), cli_eur(a, sizeof(a), sc->envelope_eur));
	fprintf(fp, _("  allocated            %s (not allocated: %s)\n"),
		cli_eur(a, sizeof(a), s->allocated_eur),
		cli_eur(b, sizeof(b), s->unallocated_eur));
	/* λ is for programs (repartition.json), not for the officer's summary */
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
		fprintf(fp, "    %-24s %6s %%  %s\n", cli_text(sc->criteria[k].column),
			cli_decimal(a, sizeof(a), (long double)sc->criteria[k].weight_pct, 1),
			res->sources && res->sources[k] ? cli_text(res->sources[k])
							: _("no source given"));
}

struct manifest_ctx {
	const p304_result *res;
	const char *const *argv;
};

/* The names of the set cli_write_files is writing (its manifest lists
 * them); NULL outside a write. The CLI writes one set at a time. */
static const char *const *set_names;

const char *const *cli_set_files(void)
{
	return set_names;
}

static p304_code write_manifest(const void *ctx, FILE *fp, p304_error *err)
{
	const struct manifest_ctx *m = ctx;

	return p304_write_manifest(m->res, m->argv, cli_set_files(), fp, err);
}

p304_code cli_write_files(const p304_input_file *in, size_t nin, const char *dir,
			  const struct cli_file *files, size_t nfiles, p304_error *err)
{
	const char **inputs = calloc(nin ? nin : 1, sizeof(char *));
	const char **names = calloc(nfiles + 1, sizeof(char *));
	p304_outset *set = NULL;
	p304_code rc;

	if (!inputs || !names) {
		free(inputs);
		free(names);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	for (size_t i = 0; i < nin; i++)
		inputs[i] = in[i].path;
	for (size_t i = 0; i < nfiles; i++)
		names[i] = files[i].name;
	rc = p304_outset_begin(dir, inputs, nin, &set, err);
	free(inputs);
	if (rc != P304_OK) {
		free(names);
		return rc;
	}
	set_names = names;
	for (size_t i = 0; i < nfiles && rc == P304_OK; i++) {
		FILE *fp = p304_outset_open(set, files[i].name, err);

		if (!fp) {
			rc = err->code;
			break;
		}
		int werr;

		errno = 0;
		rc = files[i].write(files[i].ctx, fp, err);
		/* a full disk shows at the write, the flush or the sync: name
		 * the file and the reason (not a bare "write failed") */
		werr = ferror(fp) ? (errno ? errno : EIO) : 0;

		if (!werr && (fflush(fp) != 0 || fsync(fileno(fp)) != 0))
			werr = errno;
		if (fclose(fp) != 0 && !werr)
			werr = errno;
		if ((rc == P304_OK && werr) || (rc == P304_ERR_IO && !err->file[0]))
			rc = p304_error_set(err, P304_ERR_IO, NULL, 0, _("%s/%s: cannot write: %s"),
					    dir, files[i].name, strerror(werr ? werr : EIO));
	}
	set_names = NULL;
	free(names);
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

	s = cli_text(s);
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

int cli_parse_options(const struct cli_usage *usage, int argc, char **argv,
		      const struct cli_option *opts, const char **operands,
		      size_t max, const char *extra, size_t *n)
{
	const char *cmd = usage->cmd;
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
				cli_print_usage(stdout, usage, opts);
				return EXIT_OK;
			}
			for (o = opts; o->names && (o->names[0] != '-' || !spells(o->names, a)); o++)
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
