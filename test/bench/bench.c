/*
 * bench.c - `make bench`: performance figures of the allocation core and the
 * CSV reader. A benchmark, not a test: it prints numbers and never fails on
 * them. Synthetic data from a fixed seed (not INSEE/DREES figures).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <p304/io.h>
#include <p304/ledger.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

struct synth {
	size_t n;
	char *codebuf;
	const char **codes;
	int64_t *values;
	long double weights[4];
	p304_row *rows;
};

static void synth_make(struct synth *s, size_t n, uint64_t seed)
{
	s->n = n;
	s->codebuf = malloc(n * 12);
	s->codes = malloc(n * sizeof(char *));
	s->values = malloc(n * 4 * sizeof(int64_t));
	s->rows = malloc(n * sizeof(p304_row));
	if (!s->codebuf || !s->codes || !s->values || !s->rows) {
		fprintf(stderr, "bench: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(s->codebuf + i * 12, 12, "%07zu", i);
		s->codes[i] = s->codebuf + i * 12;
		for (size_t c = 0; c < 4; c++) /* skewed sizes, like départements */
			s->values[i * 4 + c] = (int64_t)(1 + rng(&seed) % 1000) *
					       (int64_t)(1 + rng(&seed) % 1000) * 1000;
	}
	s->weights[0] = s->weights[1] = s->weights[2] = 0.285L;
	s->weights[3] = 0.145L;
}

static void synth_free(struct synth *s)
{
	free(s->codebuf);
	free(s->codes);
	free(s->values);
	free(s->rows);
}

static p304_problem problem(const struct synth *s, int64_t E, int64_t F, int64_t C)
{
	return (p304_problem){ .n = s->n, .k = 4, .codes = s->codes, .values = s->values,
		.weights = s->weights, .envelope_eur = E, .floor_eur = F,
		.ceiling_eur = C, .unit_eur = 1 };
}

static void must(p304_code rc, const p304_error *err)
{
	if (rc != P304_OK) {
		fprintf(stderr, "bench: %s\n", err->message);
		exit(1);
	}
}

/* Median time of `reps` allocations of n entities, in ms. */
static double time_one(size_t n, int reps)
{
	struct synth s;
	p304_workspace *ws = p304_workspace_new();
	p304_summary sum;
	p304_error err;
	double t[16];
	/* envelope and bounds scaled so that some sit at each bound */
	int64_t E = (int64_t)n * 500000, F = 100000, C = 3000000;
	p304_problem p;

	synth_make(&s, n, 42 + n);
	p = problem(&s, E, F, C);
	for (int r = 0; r < reps; r++) {
		/* a cold call: a fresh workspace, nothing kept from the last one */
		p304_workspace *cold = p304_workspace_new();
		double t0 = now();

		must(p304_allocate(&p, cold, s.rows, &sum, &err), &err);
		t[r] = (now() - t0) * 1000.0;
		p304_workspace_free(cold);
	}
	for (int i = 1; i < reps; i++)
		for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
			double x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	printf("  one allocation, %7zu entities     %9.3f ms (cold, median of %d; %zu floor, %zu ceiling)\n",
	       n, t[reps / 2], reps, sum.n_floor, sum.n_ceiling);
	p304_workspace_free(ws);
	synth_free(&s);
	return t[reps / 2];
}

static void bench_throughput(void)
{
	struct synth s;
	p304_workspace *ws = p304_workspace_new();
	p304_summary sum;
	p304_error err;
	p304_problem p;
	long count = 0;
	double t0, el;

	synth_make(&s, 101, 7);
	p = problem(&s, 50000000, 300000, 1500000);
	t0 = now();
	do {
		for (int i = 0; i < 1000; i++) {
			/* vary the envelope so no call is a repeat of the last */
			p.envelope_eur = 50000000 + (count + i) % 1000;
			must(p304_allocate(&p, ws, s.rows, &sum, &err), &err);
		}
		count += 1000;
		el = now() - t0;
	} while (el < 1.0);
	printf("  101 authorities, bounds + rounding  %9.0f allocations/s (%zu floor, %zu ceiling)\n",
	       (double)count / el, sum.n_floor, sum.n_ceiling);
	p304_workspace_free(ws);
	synth_free(&s);
}

/* Peak resident memory of this process image, from /proc (VmHWM): after
 * execve it is the reader's alone, unlike getrusage's, which Linux carries
 * over from the image before. */
static double peak_mib(void)
{
	FILE *fp = fopen("/proc/self/status", "r");
	char line[256];
	double kb = -1.0;

	while (fp && fgets(line, sizeof(line), fp))
		if (!strncmp(line, "VmHWM:", 6))
			kb = atof(line + 6);
	if (fp)
		fclose(fp);
	return kb / 1024.0;
}

/* `bench --csv N`: writes an N-row table and times the reader. Run as its
 * own program (fork + exec) so that its memory is measured alone, and so
 * that the other figures are not measured in a process that has forked: a
 * parent after fork() ran the allocation loop about 15 % slower here. */
static int bench_csv_child(size_t nrows)
{
	char path[] = "/tmp/p304-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	p304_csv *csv;
	p304_error err;
	uint64_t seed = 1;
	double t0;

	if (!fp) {
		perror("bench: temp file");
		return 1;
	}
	fputs("code;nom;enfants_0_19;menages_pauvres;enfants_ase;mesures_jeunes_majeurs\n", fp);
	for (size_t i = 0; i < nrows; i++)
		fprintf(fp, "%07zu;Entité %zu;%llu;%llu;%llu;%llu\n", i, i,
			(unsigned long long)(rng(&seed) % 1000000),
			(unsigned long long)(rng(&seed) % 100000),
			(unsigned long long)(rng(&seed) % 10000),
			(unsigned long long)(rng(&seed) % 1000));
	fclose(fp);
	t0 = now();
	must(p304_csv_load(path, &csv, &err), &err);
	printf("  CSV reader, %zu rows             %9.1f ms, peak memory %.0f MiB\n",
	       p304_csv_nrows(csv), (now() - t0) * 1000.0, peak_mib());
	p304_csv_free(csv);
	unlink(path);
	return 0;
}

static void bench_csv(const char *self, size_t nrows)
{
	char n[32];
	pid_t pid;

	snprintf(n, sizeof(n), "%zu", nrows);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "--csv", n, (char *)NULL);
		perror("bench: exec");
		_exit(1);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* Variants per second of a sweep: n entities, bounds and rounding. */
static void bench_sweep(size_t n, unsigned vary, const char *what, int threads, size_t samples)
{
	struct synth s;
	p304_sweep_stat *st;
	p304_sweep_summary sum;
	p304_error err;
	p304_problem p;
	p304_sweep_spec sp;
	double t0, el;

	synth_make(&s, n, 11);
	p = problem(&s, (int64_t)n * 500000, 300000, 1500000);
	st = malloc(n * sizeof(*st));
	if (!st)
		exit(1);
	sp = (p304_sweep_spec){ .base = &p, .samples = samples, .seed = 1, .vary = vary,
		.weight_points = 2, .data_pct = 5, .threads = threads };
	t0 = now();
	must(p304_sweep(&sp, st, &sum, &err), &err);
	el = now() - t0;
	printf("  sweep, %6zu entities, %-13s %d thread%s %9.0f variants/s (%zu in %.2f s, %zu in long double)\n",
	       n, what, threads, threads > 1 ? "s" : " ", (double)samples / el, samples, el,
	       sum.long_double);
	free(st);
	synth_free(&s);
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A result set of 101 rows (notification.json, needs and notified) with a
 * manifest without inputs, in dir; `salt` changes the amounts (a new set). */
static void ledger_set(const char *dir, int salt)
{
	char path[600];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	fp = fopen(path, "w");
	if (!fp)
		exit(1);
	fputs("{\"tool\": \"p304\", \"files\": [\"notification.json\"], \"inputs\": []}\n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/notification.json", dir);
	fp = fopen(path, "w");
	if (!fp)
		exit(1);
	fputs("{\"id\": \"bench\", \"rows\": [", fp);
	for (int i = 0; i < 101; i++)
		fprintf(fp, "%s{\"code\": \"%02d\", \"need_eur\": %d, \"notified_eur\": %d}",
			i ? ", " : "", i + 1, 1000000 + salt * 101 + i, 900000 + i);
	/* the file's own totals, which the ledger checks against the rows */
	fprintf(fp, "], \"needs_eur\": %lld, \"notified_eur\": %lld}\n",
		101LL * 1000000 + 101LL * 101 * salt + 5050, 101LL * 900000 + 5050);
	fclose(fp);
}

/* Issue 22: recording a 101-row set (one transaction, fsync'd), and the
 * départements × years view of 101 × 10 years. */
static void bench_ledger(void)
{
	char dir[] = "/tmp/p304-bench-ledger-XXXXXX", path[600];
	double rec[40], view[200];
	p304_ledger *lg;
	p304_ledger_outcome o;
	p304_error err;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/campagne.sqlite", dir);
	must(p304_ledger_open(path, 1, &lg, &err), &err);
	for (int k = 0; k < 40; k++) {
		double t;

		ledger_set(dir, k);
		t = now();
		must(p304_ledger_record_set(lg, dir, 2016 + k % 10, NULL, &o, &err), &err);
		rec[k] = (now() - t) * 1000.0;
	}
	for (int k = 0; k < 200; k++) {
		p304_ledger_view *v;
		double t = now();

		must(p304_ledger_view_make(lg, P304_STAGE_NEED, P304_STAGE_NEED, 2016, 2025, &v, &err),
		     &err);
		view[k] = (now() - t) * 1000.0;
		p304_ledger_view_free(v);
	}
	qsort(rec, 40, sizeof(double), dbl_cmp);
	qsort(view, 200, sizeof(double), dbl_cmp);
	printf("  ledger: record a 101-row set        %9.2f ms (median of 40, p95 %.2f ms; SQLite, synchronous FULL)\n",
	       rec[20], rec[37]);
	printf("  ledger: view 101 × 10 years          %9.2f ms (median of 200, p95 %.2f ms; library, not the API)\n",
	       view[100], view[189]);
	p304_ledger_close(lg);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	struct rusage ru;

	if (argc == 3 && !strcmp(argv[1], "--csv"))
		return bench_csv_child((size_t)strtoull(argv[2], NULL, 10));
	printf("p304 %s benchmark (synthetic data, fixed seeds)\n", P304_VERSION);
	bench_throughput();
	bench_ledger();
	time_one(35000, 9);
	time_one(1000000, 5);
	bench_sweep(101, P304_VARY_WEIGHTS, "weights,", 1, 300000);
	bench_sweep(101, P304_VARY_WEIGHTS, "weights,", 2, 300000);
	bench_sweep(101, P304_VARY_WEIGHTS | P304_VARY_DATA, "weights+data,", 1, 200000);
	bench_sweep(101, P304_VARY_WEIGHTS | P304_VARY_DATA, "weights+data,", 2, 200000);
	bench_sweep(35000, P304_VARY_WEIGHTS | P304_VARY_DATA, "weights+data,", 2, 200);
	getrusage(RUSAGE_SELF, &ru);
	bench_csv("/proc/self/exe", 1000000); /* last: the fork must not slow the others */
	printf("  peak memory (max RSS)               %9.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
	return 0;
}
