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

	fprintf(stderr, "p304 %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'p304 %s --help'\n", cmd);
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
		fprintf(stderr, "p304: %s:%ld: %s\n", err->file, err->line, err->message);
	else if (err->file[0])
		fprintf(stderr, "p304: %s: %s\n", err->file, err->message);
	else
		fprintf(stderr, "p304: %s\n", err->message);
	if (err->file[0] && err->line > 0 && err->code == P304_ERR_INPUT)
		echo_line(err->file, err->line);
	switch (err->code) {
	case P304_OK: return EXIT_OK;
	case P304_ERR_USAGE: return EXIT_USAGE;
	case P304_ERR_INPUT:
	case P304_ERR_OVERFLOW: return EXIT_INPUT;
	case P304_ERR_INFEASIBLE: return EXIT_INFEASIBLE;
	case P304_ERR_IO: return EXIT_IO;
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
		fprintf(stderr, "p304: warning: %s\n", res->warnings[i]);
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
	fprintf(fp, "  participants         %zu\n", res->nrows);
	fprintf(fp, "  enveloppe            %s\n", cli_eur(a, sizeof(a), sc->envelope_eur));
	fprintf(fp, "  réparti              %s (non réparti : %s)\n",
		cli_eur(a, sizeof(a), s->allocated_eur),
		cli_eur(b, sizeof(b), s->unallocated_eur));
	fprintf(fp, "  λ (multiplicateur)   %s\n", cli_decimal(a, sizeof(a), s->lambda, 2));
	if (sc->floor_eur != P304_NO_BOUND)
		fprintf(fp, "  au plancher          %zu (plancher %s)\n", s->n_floor,
			cli_eur(a, sizeof(a), sc->floor_eur));
	else
		fprintf(fp, "  plancher             aucun\n");
	if (sc->ceiling_eur != P304_NO_BOUND)
		fprintf(fp, "  au plafond           %zu (plafond %s)\n", s->n_ceiling,
			cli_eur(a, sizeof(a), sc->ceiling_eur));
	else
		fprintf(fp, "  plafond              aucun\n");
	if (amounts && res->nrows > 0) {
		size_t n = res->nrows;
		int64_t med;

		for (size_t i = 0; i < n; i++)
			amounts[i] = res->rows[i].alloc.amount_eur;
		qsort(amounts, n, sizeof(int64_t), cmp_i64);
		/* The median of an even count is the mean of the middle two,
		 * rounded down to the euro. */
		med = n % 2 ? amounts[n / 2] : (amounts[n / 2 - 1] + amounts[n / 2]) / 2;
		fprintf(fp, "  min / médiane / max  %s / %s / %s\n",
			cli_eur(a, sizeof(a), amounts[0]), cli_eur(b, sizeof(b), med),
			cli_eur(c, sizeof(c), amounts[n - 1]));
	}
	free(amounts);
	fprintf(fp, "  critères et sources\n");
	for (size_t k = 0; k < sc->ncriteria; k++)
		fprintf(fp, "    %-24s %6s %%  %s\n", sc->criteria[k].column,
			cli_decimal(a, sizeof(a), (long double)sc->criteria[k].weight_pct, 1),
			res->sources && res->sources[k] ? res->sources[k] : "source non renseignée");
}
