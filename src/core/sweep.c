/*
 * sweep.c - sensitivity: thousands of allocations around a scenario (weights
 * moved by a few points, figures perturbed by a few percent, floor and
 * ceiling over a range), each with the exact solver and rounding of the
 * core. Variant v uses its own random stream, so the numbers do not depend
 * on the number of threads; work that does not change between variants
 * (criterion totals when the data do not vary) is done once.
 */
#include <p304/p304.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sweep_fast.h"
#include "workspace.h"
#include "banned.h"
#include "gettext.h"

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* llround(y) without the library call (a third of a data sweep's time):
 * for 0 <= y < 2^62 the integer part is exact and so is y minus it; ties
 * go away from zero, as llround's. Other values take llround itself. */
static inline int64_t round_half_away(double y)
{
	int64_t t;

	if (!(y >= 0.0 && y < 0x1p62))
		return (int64_t)llround(y);
	t = (int64_t)y;
	return t + (y - (double)t >= 0.5);
}

/* Uniform in [-1, 1). */
static double unit_sym(uint64_t *s)
{
	return (double)(splitmix(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

struct shared {
	const p304_sweep_spec *spec;
	size_t n, k, stride;        /* stride: store every stride-th variant */
	size_t stored;              /* slots of the store per authority */
	int64_t *store;             /* stored × n amounts, or NULL when narrow */
	uint32_t *store32;          /* the same in 32 bits, when the envelope is
				     * below 2^32 - 1 € (no amount exceeds it):
				     * half the memory traffic */
	long double *colscale;      /* k: w_k / T_k of the base (data fixed) */
	const int64_t *totals;      /* k: T_k of the base */
	double *xd;                 /* k × n base figures in double, or NULL when
				     * one is 2^53 or more (no double filter) */
	atomic_size_t done, infeasible, long_double;
	size_t *at_floor, *at_ceiling; /* threads × n */
	int64_t *mins, *maxs;          /* threads × n */
	p304_code rc;
	p304_error err;
	pthread_mutex_t lock;
};

struct worker {
	struct shared *sh;
	int id, nthreads;
};

static void fail(struct shared *sh, p304_code rc, const p304_error *e)
{
	pthread_mutex_lock(&sh->lock);
	if (sh->rc == P304_OK) {
		sh->rc = rc;
		sh->err = *e;
	}
	pthread_mutex_unlock(&sh->lock);
}

/* An infeasible variant (bounds that cannot be met): counted, and its
 * stored slot marked so the percentiles leave it out. */
#define SKIPPED INT64_MIN
#define SKIPPED32 UINT32_MAX

/* The store is by authority (column i holds slots [i·stored, (i+1)·stored)):
 * the percentiles then read each authority's amounts in a row, and the
 * writes of consecutive variants fill the same cache lines. Keeps variant
 * v's amounts in its slot, or marks them skipped. */
static void store_put(struct shared *sh, size_t slot, const int64_t *amounts)
{
	size_t n = sh->n, stored = sh->stored;

	if (sh->store32) {
		for (size_t i = 0; i < n; i++)
			sh->store32[i * stored + slot] = amounts ? (uint32_t)amounts[i] : SKIPPED32;
	} else {
		for (size_t i = 0; i < n; i++)
			sh->store[i * stored + slot] = amounts ? amounts[i] : SKIPPED;
	}
}

/* Authority i's amount in a slot (SKIPPED for a skipped variant). */
static int64_t store_at(const struct shared *sh, size_t i, size_t slot)
{
	if (sh->store32) {
		uint32_t a = sh->store32[i * sh->stored + slot];

		return a == SKIPPED32 ? SKIPPED : (int64_t)a;
	}
	return sh->store[i * sh->stored + slot];
}

/* Authority i's stored amounts, the skipped variants left out, into col;
 * their number. */
static size_t store_column(const struct shared *sh, size_t i, int64_t *col)
{
	size_t m = 0, stored = sh->stored;

	if (sh->store32) {
		const uint32_t *c = sh->store32 + i * stored;

		for (size_t s = 0; s < stored; s++) {
			col[m] = (int64_t)c[s];
			m += c[s] != SKIPPED32;
		}
	} else {
		const int64_t *c = sh->store + i * stored;

		for (size_t s = 0; s < stored; s++) {
			col[m] = c[s];
			m += c[s] != SKIPPED;
		}
	}
	return m;
}

/* Threads take variants in blocks of VBLOCK, so that two threads seldom
 * write into the same cache line of the store. */
#define VBLOCK 64

static size_t next_variant(size_t v, int nthreads)
{
	v++;
	if (v % VBLOCK == 0)
		v += (size_t)(nthreads - 1) * VBLOCK;
	return v;
}

static void skip(struct shared *sh, size_t v)
{
	if (v % sh->stride == 0)
		store_put(sh, v / sh->stride, NULL);
	atomic_fetch_add(&sh->infeasible, 1);
	atomic_fetch_add(&sh->done, 1);
}

#define TWO53 FAST_EXACT_LIMIT

/* A thread's scratch, reused from one variant to the next. */
struct thread_ws {
	p304_workspace *ws;
	int64_t *vals, *totals, *amounts;
	long double *shares, *exact;
	double *sd;
	p304_status *pos;
	fast_ws fw;
	int fw_ok, fw_data; /* fw_data: figures of the last fast call perturbed */
	size_t nld;         /* variants the long double path decided */
};

/* One variant as drawn: its weights, bounds, figures' scales. */
struct variant {
	size_t v;
	uint64_t rs;        /* its random stream */
	long double wt[64], sc[64];
	int64_t F, C, tot[64], vmax;
	int data;           /* figures perturbed (or shares not from the base scales) */
};

static int thread_ws_init(struct thread_ws *t, size_t n, size_t k, p304_error *e)
{
	memset(t, 0, sizeof(*t));
	t->ws = p304_workspace_new();
	t->vals = malloc(n * k * sizeof(int64_t));
	t->totals = malloc(k * sizeof(int64_t));
	t->shares = malloc(n * sizeof(long double));
	t->exact = malloc(n * sizeof(long double));
	t->sd = malloc(n * sizeof(double));
	t->pos = malloc(n * sizeof(p304_status));
	t->amounts = malloc(n * sizeof(int64_t));
	t->fw_ok = fast_ws_init(&t->fw, n) == 0;
	t->fw_data = 1;
	return t->ws && t->vals && t->totals && t->shares && t->exact && t->sd && t->pos &&
	       t->amounts && t->fw_ok && workspace_reserve(t->ws, n, k, e) == P304_OK ? 0 : -1;
}

static void thread_ws_release(struct thread_ws *t)
{
	p304_workspace_free(t->ws);
	fast_ws_free(&t->fw); /* safe after a failed init too */
	free(t->vals);
	free(t->totals);
	free(t->shares);
	free(t->exact);
	free(t->sd);
	free(t->pos);
	free(t->amounts);
}

/* The variant's weights, moved by up to ±weight_points and renormalised.
 * ±PTS up to 100 points can push every weight to 0 or below: such a variant
 * allocates nothing, it is counted with the infeasible ones (dividing by 0
 * gave NaN amounts). Returns 0 then. */
static int draw_weights(const p304_sweep_spec *sp, size_t k, struct variant *x)
{
	const p304_problem *b = sp->base;
	long double wsum = 0.0L;

	for (size_t c = 0; c < k; c++) {
		double d = x->v > 0 && (sp->vary & P304_VARY_WEIGHTS) ?
			   unit_sym(&x->rs) * sp->weight_points : 0.0;
		long double w = b->weights[c] * 100.0L + (long double)d;

		x->wt[c] = w > 0.0L ? w : 0.0L;
		wsum += x->wt[c];
	}
	if (!(wsum > 0.0L))
		return 0;
	for (size_t c = 0; c < k; c++)
		x->wt[c] /= wsum;
	return 1;
}

/* The variant's floor and ceiling, drawn in their ranges, on the unit. */
static void draw_bounds(const p304_sweep_spec *sp, struct variant *x)
{
	const p304_problem *b = sp->base;

	x->F = b->floor_eur;
	x->C = b->ceiling_eur;
	if (x->v > 0 && (sp->vary & P304_VARY_FLOOR))
		x->F = (sp->floor_min + (int64_t)((double)(sp->floor_max - sp->floor_min) *
			(unit_sym(&x->rs) + 1.0) / 2.0)) / b->unit_eur * b->unit_eur;
	if (x->v > 0 && (sp->vary & P304_VARY_CEILING))
		x->C = (sp->ceiling_min + (int64_t)((double)(sp->ceiling_max - sp->ceiling_min) *
			(unit_sym(&x->rs) + 1.0) / 2.0) + b->unit_eur - 1) / b->unit_eur * b->unit_eur;
	if (x->F != P304_NO_BOUND && x->C != P304_NO_BOUND && x->C < x->F)
		x->C = x->F;
}

/* The perturbed figures (into t->vals, with their column totals) and the
 * scales w_k / T_k of this variant exactly as p304_compute_shares forms
 * them; with the base's figures, the base's scales reweighted. */
static void draw_figures(const struct shared *sh, struct thread_ws *t, struct variant *x)
{
	const p304_sweep_spec *sp = sh->spec;
	const p304_problem *b = sp->base;
	size_t n = sh->n, k = sh->k;
	int usable = 1, perturb[64];

	/* a weight that was 0 in the base has no precomputed scale: the
	 * shares then come from the figures, as when they vary */
	for (size_t c = 0; c < k && !x->data; c++)
		if (!(b->weights[c] > 0.0L) && x->wt[c] > 0.0L)
			x->data = 1;
	if (!x->data) {
		for (size_t c = 0; c < k; c++)
			x->sc[c] = b->weights[c] > 0.0L ? sh->colscale[c] * x->wt[c] / b->weights[c]
						       : 0.0L;
		return;
	}
	memset(x->tot, 0, k * sizeof(x->tot[0]));
	for (size_t c = 0; c < k; c++)
		perturb[c] = x->v > 0 && sp->data_pct > 0.0 &&
			     ((sp->vary & P304_VARY_DATA) ||
			      (c < 16 && (sp->vary & P304_VARY_COLUMN(c))));
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < k; c++) {
			int64_t v = b->values[i * k + c];

			if (perturb[c])
				v = round_half_away((double)v * (1.0 + unit_sym(&x->rs) *
								 sp->data_pct / 100.0));
			v = v < 0 ? 0 : v;
			t->vals[i * k + c] = v;
			x->vmax = v > x->vmax ? v : x->vmax;
			usable &= !__builtin_add_overflow(x->tot[c], v, &x->tot[c]);
		}
	for (size_t c = 0; c < k && usable; c++) {
		if (x->tot[c] == 0 && x->wt[c] != 0.0L)
			usable = 0; /* the long double path refuses it */
		x->sc[c] = x->tot[c] ? x->wt[c] / (long double)x->tot[c] : 0.0L;
	}
	if (!usable)
		x->vmax = TWO53; /* no filter: the long double path decides */
}

/* The double filter (sweep_fast.c), when its error bound applies: 1 when it
 * decided the variant (t->amounts and t->pos filled), 0 when the long
 * double path must. */
static int try_fast(const struct shared *sh, struct thread_ws *t, const struct variant *x)
{
	const p304_sweep_spec *sp = sh->spec;
	const p304_problem *b = sp->base;
	size_t n = sh->n, k = sh->k, col[64], nc = 0;
	double scd[64];
	int fast;

	if (sp->long_double_only || !(x->data ? x->vmax < TWO53 : sh->xd != NULL))
		return 0;
	/* the columns the long double path sums, in its order */
	for (size_t c = 0; c < k; c++)
		if (x->data || b->weights[c] > 0.0L) {
			col[nc] = c;
			scd[nc++] = (double)x->sc[c];
		}
	if (nc == 0)
		return 0; /* no weighted column: nothing the filter can do */
	if (x->data) {
		for (size_t i = 0; i < n; i++) {
			double s = 0.0;

			for (size_t j = 0; j < nc; j++)
				s += (double)t->vals[i * k + col[j]] * scd[j];
			t->sd[i] = s;
		}
	} else {
		/* the figures are stored column by column; each row's sum in
		 * the same order, up to four columns a pass */
		for (size_t j = 0; j < nc; j += 4) {
			const double *x0 = sh->xd + col[j] * n;
			const double *x1 = j + 1 < nc ? sh->xd + col[j + 1] * n : NULL;
			const double *x2 = j + 2 < nc ? sh->xd + col[j + 2] * n : NULL;
			const double *x3 = j + 3 < nc ? sh->xd + col[j + 3] * n : NULL;

			for (size_t i = 0; i < n; i++) {
				double s = j ? t->sd[i] + x0[i] * scd[j] : x0[i] * scd[j];

				if (x1)
					s += x1[i] * scd[j + 1];
				if (x2)
					s += x2[i] * scd[j + 2];
				if (x3)
					s += x3[i] * scd[j + 3];
				t->sd[i] = s;
			}
		}
	}
	fast = fast_allocate(&t->fw, n, k, x->data ? t->vals : b->values,
			     x->data ? x->tot : sh->totals, x->data || t->fw_data, col, scd, nc,
			     t->sd, x->F == P304_NO_BOUND ? 0 : x->F, x->C, b->envelope_eur,
			     b->unit_eur, t->amounts, t->pos);
	t->fw_data = x->data;
	return fast;
}

/* The long double path: shares, then the bounded-allocation step of every
 * allocation (p304_allocate_bounded). */
static p304_code solve_long_double(const struct shared *sh, struct thread_ws *t,
				   const struct variant *x, p304_error *e)
{
	const p304_problem *b = sh->spec->base;
	size_t n = sh->n, k = sh->k;
	p304_bounds bounds = { .floor_eur = x->F, .ceiling_eur = x->C,
			       .envelope_eur = b->envelope_eur, .unit_eur = b->unit_eur };
	long double lambda;
	p304_code rc;

	if (!x->data) {
		for (size_t i = 0; i < n; i++) {
			long double s = 0.0L;

			for (size_t c = 0; c < k; c++)
				if (b->weights[c] > 0.0L)
					s += (long double)b->values[i * k + c] * x->sc[c];
			t->shares[i] = s;
		}
	} else if ((rc = p304_compute_shares(n, k, t->vals, x->wt, t->totals, t->shares,
					     e)) != P304_OK) {
		return rc;
	}
	return p304_allocate_bounded(n, t->shares, b->codes, &bounds, t->ws, &lambda, t->exact,
				     t->pos, t->amounts, e);
}

/* The thread's statistics of each authority, and the stored slot. */
static void tally(struct shared *sh, const struct worker *w, const struct thread_ws *t,
		  const struct variant *x)
{
	size_t n = sh->n;
	size_t *atf = sh->at_floor + (size_t)w->id * n, *atc = sh->at_ceiling + (size_t)w->id * n;
	int64_t *mn = sh->mins + (size_t)w->id * n, *mx = sh->maxs + (size_t)w->id * n;

	/* without branches: positions and amounts vary from row to row */
	for (size_t i = 0; i < n; i++) {
		int64_t a = t->amounts[i];

		atf[i] += (size_t)(x->F != P304_NO_BOUND && t->pos[i] == P304_FLOOR);
		atc[i] += (size_t)(t->pos[i] == P304_CEILING);
		mn[i] = a < mn[i] ? a : mn[i];
		mx[i] = a > mx[i] ? a : mx[i];
	}
	if (x->v % sh->stride == 0)
		store_put(sh, x->v / sh->stride, t->amounts);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	const p304_sweep_spec *sp = sh->spec;
	const p304_problem *b = sp->base;
	size_t pending = 0;
	struct thread_ws t;
	p304_error e;

	if (thread_ws_init(&t, sh->n, sh->k, &e) != 0) {
		p304_error_set(&e, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		fail(sh, P304_ERR_NOMEM, &e);
		goto out;
	}
	for (size_t v = (size_t)w->id * VBLOCK; v < sp->samples && sh->rc == P304_OK;
	     v = next_variant(v, w->nthreads)) {
		struct variant x = { .v = v, .rs = sp->seed ^ (0xD1B54A32D192ED03ULL * (v + 1)),
			.data = v > 0 && (sp->vary & (P304_VARY_DATA | ~0xFu)) };
		p304_code rc;

		if (!draw_weights(sp, sh->k, &x)) {
			skip(sh, v);
			continue;
		}
		draw_bounds(sp, &x);
		draw_figures(sh, &t, &x);
		if ((x.F != P304_NO_BOUND && (int64_t)sh->n * x.F > b->envelope_eur) ||
		    (x.C != P304_NO_BOUND && (int64_t)sh->n * x.C < b->envelope_eur)) {
			skip(sh, v);
			continue;
		}
		if (!try_fast(sh, &t, &x)) {
			rc = solve_long_double(sh, &t, &x, &e);
			/* bounds this variant cannot meet: counted, the sweep goes
			 * on; a rounding that fails, or memory, stops it */
			if (rc == P304_ERR_INTERNAL || rc == P304_ERR_USAGE || rc == P304_ERR_NOMEM) {
				fail(sh, e.code, &e);
				break;
			}
			if (rc != P304_OK) {
				skip(sh, v);
				continue;
			}
			t.nld++;
		}
		tally(sh, w, &t, &x);
		/* progress only: one shared update per 64 variants, not per variant */
		if (++pending == 64) {
			atomic_fetch_add(&sh->done, pending);
			pending = 0;
		}
	}
	atomic_fetch_add(&sh->done, pending);
	atomic_fetch_add(&sh->long_double, t.nld);
out:
	thread_ws_release(&t);
	return NULL;
}

/* The k-th smallest of v[0..n) (Hoare's quickselect, middle pivot); the
 * array is reordered. Expected O(n): the percentiles need no full sort. */
static int64_t select_kth(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		int64_t pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				int64_t t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/*
 * The values of ranks k[0] <= k[1] <= k[2] (0-based, ascending) of v[0..m),
 * all in [lo, hi]: one pass counts the values in 1 024 bins spanning
 * [lo, hi], one pass gathers the values of the bins holding those ranks into
 * tmp, and a selection inside each bin finishes. The same values as sorting
 * v, in two passes instead of three quickselects over all of v.
 */
#define NBINS 1024

static void select_ranks(const int64_t *v, size_t m, int64_t lo, int64_t hi,
			 const size_t k[3], int64_t out[3], int64_t *tmp)
{
	uint32_t hist[NBINS];
	uint64_t range = (uint64_t)hi - (uint64_t)lo;
	unsigned shift = 0;
	size_t bin[3], rank[3], start[3], fill[3], cum = 0, b = 0, off = 0;

	if (range == 0) {
		out[0] = out[1] = out[2] = lo;
		return;
	}
	while ((range >> shift) >= NBINS)
		shift++;
	memset(hist, 0, sizeof(hist));
	for (size_t j = 0; j < m; j++)
		hist[((uint64_t)v[j] - (uint64_t)lo) >> shift]++;
	for (int t = 0; t < 3; t++) {
		while (cum + hist[b] <= k[t])
			cum += hist[b++];
		bin[t] = b;
		rank[t] = k[t] - cum;
	}
	for (int t = 0; t < 3; t++) {
		if (t > 0 && bin[t] == bin[t - 1]) {
			start[t] = start[t - 1];
		} else {
			start[t] = off;
			off += hist[bin[t]];
		}
		fill[t] = start[t];
	}
	for (size_t j = 0; j < m; j++) {
		size_t bb = ((uint64_t)v[j] - (uint64_t)lo) >> shift;

		if (bb == bin[0])
			tmp[fill[0]++] = v[j];
		else if (bb == bin[1])
			tmp[fill[1]++] = v[j];
		else if (bb == bin[2])
			tmp[fill[2]++] = v[j];
	}
	for (int t = 0; t < 3; t++)
		out[t] = select_kth(tmp + start[t], hist[bin[t]], rank[t]);
}

/* The statistics of authorities [from, to): min and max over every
 * variant (from the workers' tallies), percentiles over the stored ones. */
struct stat_job {
	const struct shared *sh;
	int nt;
	size_t from, to;
	p304_sweep_stat *stats;
	int64_t *col, *tmp;     /* stored entries each, this job's own */
	int failed, done_inline;
};

static void *stats_job(void *arg)
{
	struct stat_job *j = arg;
	const struct shared *sh = j->sh;
	size_t n = sh->n;
	int64_t *col = j->col;

	for (size_t i = j->from; i < j->to; i++) {
		size_t m = 0;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		p304_sweep_stat *st = &j->stats[i];

		memset(st, 0, sizeof(*st));
		st->min_eur = INT64_MAX;
		st->max_eur = INT64_MIN;
		for (int t = 0; t < j->nt; t++) {
			st->at_floor += sh->at_floor[(size_t)t * n + i];
			st->at_ceiling += sh->at_ceiling[(size_t)t * n + i];
			if (sh->mins[(size_t)t * n + i] < st->min_eur)
				st->min_eur = sh->mins[(size_t)t * n + i];
			if (sh->maxs[(size_t)t * n + i] > st->max_eur)
				st->max_eur = sh->maxs[(size_t)t * n + i];
		}
		/* variant 0, the base, is always stored, in slot 0 */
		st->base_eur = store_at(sh, i, 0);
		m = store_column(sh, i, col);
		/* every stored amount lies within the extremes over all variants */
		lo = st->min_eur;
		hi = st->max_eur;
		if (m == 0 || st->base_eur == SKIPPED) {
			j->failed = 1;
			return NULL;
		}
		{
			/* nearest rank: these indices are the documented ones */
			size_t rk[3] = { (size_t)floor(0.05 * (double)(m - 1)), (m - 1) / 2,
					 (size_t)ceil(0.95 * (double)(m - 1)) };
			int64_t q[3];

			select_ranks(col, m, lo, hi, rk, q, j->tmp);
			st->p5_eur = q[0];
			st->median_eur = q[1];
			st->p95_eur = q[2];
		}
	}
	return NULL;
}

/* The spec's own checks, before any memory is taken. */
static p304_code check_spec(const p304_sweep_spec *sp, p304_error *err)
{
	size_t k = sp->base->k;

	if (sp->samples < 1 || k > 64 || k == 0 || sp->base->n == 0)
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0,
			_("a sweep needs at least one sample, 1 to 64 criteria and a participant"));
	if (((sp->vary & P304_VARY_FLOOR) && (sp->floor_min < 0 || sp->floor_max < sp->floor_min)) ||
	    ((sp->vary & P304_VARY_CEILING) && (sp->ceiling_min < 0 || sp->ceiling_max < sp->ceiling_min)))
		return p304_error_set(err, P304_ERR_USAGE, NULL, 0, _("a bound range is empty or negative"));
	return P304_OK;
}

/* The base itself must allocate: it is variant 0, always kept, and the
 * statistics are read against it (an infeasible base left no amount to
 * take percentiles of). */
static p304_code base_allocates(const p304_problem *b, p304_error *err)
{
	p304_workspace *bws = p304_workspace_new();
	p304_row *brows = malloc(b->n * sizeof(p304_row));
	p304_summary bsum;
	p304_code rc;

	rc = !bws || !brows ? p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"))
			    : p304_allocate(b, bws, brows, &bsum, err);
	p304_workspace_free(bws);
	free(brows);
	return rc;
}

/* The buffers of one sweep: the shared state the workers fill, and the
 * per-thread scratch of the statistics. */
struct sweep_mem {
	int64_t *totals, *col, *tmp_col;
	long double *tmp;
	struct worker *wk;
	pthread_t *th;
};

static void sweep_mem_free(struct shared *sh, struct sweep_mem *m)
{
	free(sh->store);
	free(sh->store32);
	free(sh->colscale);
	free(sh->xd);
	free(sh->at_floor);
	free(sh->at_ceiling);
	free(sh->mins);
	free(sh->maxs);
	free(m->totals);
	free(m->tmp);
	free(m->col);
	free(m->tmp_col);
	free(m->wk);
	free(m->th);
}

/* Sizes the store (every stride-th variant kept for the percentiles, at
 * most max_stored amounts) and takes every buffer; 0 when one is missing. */
static int sweep_mem_alloc(const p304_sweep_spec *sp, int nt, struct shared *sh, struct sweep_mem *m)
{
	const p304_problem *b = sp->base;
	size_t n = b->n, k = b->k, maxst = sp->max_stored ? sp->max_stored : (size_t)16 << 20;
	size_t slots;

	sh->spec = sp;
	sh->n = n;
	sh->k = k;
	sh->stride = 1;
	while ((sp->samples + sh->stride - 1) / sh->stride * n > maxst)
		sh->stride++;
	sh->stored = (sp->samples + sh->stride - 1) / sh->stride;
	slots = sh->stored ? sh->stored : 1;
	if (b->envelope_eur < (int64_t)SKIPPED32)
		sh->store32 = malloc(sh->stored * n * sizeof(uint32_t));
	else
		sh->store = malloc(sh->stored * n * sizeof(int64_t));
	sh->colscale = malloc(k * sizeof(long double));
	sh->at_floor = calloc((size_t)nt * n, sizeof(size_t));
	sh->at_ceiling = calloc((size_t)nt * n, sizeof(size_t));
	sh->mins = malloc((size_t)nt * n * sizeof(int64_t));
	sh->maxs = malloc((size_t)nt * n * sizeof(int64_t));
	m->totals = malloc(k * sizeof(int64_t));
	m->tmp = malloc(n * sizeof(long double));
	m->col = malloc((size_t)nt * slots * sizeof(int64_t));
	m->tmp_col = malloc((size_t)nt * slots * sizeof(int64_t));
	m->wk = calloc((size_t)nt, sizeof(*m->wk));
	m->th = calloc((size_t)nt, sizeof(*m->th));
	return (sh->store || sh->store32) && sh->colscale && sh->at_floor && sh->at_ceiling &&
	       sh->mins && sh->maxs && m->totals && m->tmp && m->col && m->tmp_col && m->wk && m->th;
}

/* What every variant reads of the base, once: each criterion's w_k / T_k,
 * and the base figures in double column by column for the filter (exact
 * below 2^53; none when a figure is larger). */
static p304_code prepare_base(struct shared *sh, struct sweep_mem *m, int nt, p304_error *err)
{
	const p304_problem *b = sh->spec->base;
	size_t n = sh->n, k = sh->k;
	p304_code rc;

	for (size_t i = 0; i < (size_t)nt * n; i++) {
		sh->mins[i] = INT64_MAX;
		sh->maxs[i] = INT64_MIN;
	}
	if ((rc = p304_compute_shares(n, k, b->values, b->weights, m->totals, m->tmp, err)) != P304_OK)
		return rc;
	for (size_t c = 0; c < k; c++)
		sh->colscale[c] = m->totals[c] ? b->weights[c] / (long double)m->totals[c] : 0.0L;
	sh->totals = m->totals;
	sh->xd = malloc(n * k * sizeof(double));
	for (size_t i = 0; sh->xd && i < n * k; i++) {
		if (b->values[i] >= TWO53) {
			free(sh->xd);
			sh->xd = NULL;
			break;
		}
		sh->xd[(i % k) * n + i / k] = (double)b->values[i];
	}
	return P304_OK;
}

/* Runs the nt workers over the variants while the calling thread reports
 * progress; the first worker's failure is the sweep's. */
static p304_code run_workers(struct shared *sh, struct sweep_mem *m, int nt, p304_error *err)
{
	const p304_sweep_spec *sp = sh->spec;
	size_t started = 0;

	pthread_mutex_init(&sh->lock, NULL);
	for (int t = 0; t < nt; t++) {
		m->wk[t] = (struct worker){ sh, t, nt };
		if (pthread_create(&m->th[t], NULL, work, &m->wk[t]) != 0)
			break;
		started++;
	}
	while (sp->progress && started == (size_t)nt && atomic_load(&sh->done) < sp->samples &&
	       sh->rc == P304_OK) {
		struct timespec ts = { 0, 200000000 };

		sp->progress(sp->progress_ctx, atomic_load(&sh->done), sp->samples);
		nanosleep(&ts, NULL);
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(m->th[t], NULL);
	pthread_mutex_destroy(&sh->lock);
	if (sp->progress)
		sp->progress(sp->progress_ctx, atomic_load(&sh->done), sp->samples);
	if (started < (size_t)nt)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0, _("cannot start threads"));
	if (sh->rc != P304_OK) {
		if (err)
			*err = sh->err;
		return sh->rc;
	}
	return P304_OK;
}

/* The statistics per authority, the authorities shared among nt threads
 * (the first share on the calling thread, a share whose thread cannot
 * start done here too). */
static p304_code compute_stats(const struct shared *sh, struct sweep_mem *m, int nt,
			       p304_sweep_stat *stats, p304_error *err)
{
	struct stat_job jobs[64];
	pthread_t sth[64];
	size_t n = sh->n, slots = sh->stored ? sh->stored : 1;
	size_t per = (n + (size_t)nt - 1) / (size_t)nt, nj = 0;
	int failed = 0;

	for (int t = 0; t < nt && (size_t)t * per < n; t++) {
		size_t from = (size_t)t * per, to = from + per < n ? from + per : n;

		jobs[nj] = (struct stat_job){ sh, nt, from, to, stats, m->col + (size_t)t * slots,
					      m->tmp_col + (size_t)t * slots, 0, 0 };
		if (nj > 0 && pthread_create(&sth[nj], NULL, stats_job, &jobs[nj]) != 0) {
			jobs[nj].done_inline = 1;
			stats_job(&jobs[nj]);
		}
		nj++;
	}
	stats_job(&jobs[0]);
	for (size_t j = 1; j < nj; j++)
		if (!jobs[j].done_inline)
			pthread_join(sth[j], NULL);
	for (size_t j = 0; j < nj; j++)
		failed |= jobs[j].failed;
	if (failed)
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0,
				      _("the base of the sweep did not allocate"));
	return P304_OK;
}

p304_code p304_sweep(const p304_sweep_spec *sp, p304_sweep_stat *stats,
		     p304_sweep_summary *sum, p304_error *err)
{
	struct shared sh;
	struct sweep_mem m;
	int nt = sp->threads < 1 ? 1 : sp->threads > 64 ? 64 : sp->threads;
	p304_code rc;

	memset(&sh, 0, sizeof(sh));
	memset(&m, 0, sizeof(m));
	if ((rc = check_spec(sp, err)) != P304_OK || (rc = base_allocates(sp->base, err)) != P304_OK)
		return rc;
	if (!sweep_mem_alloc(sp, nt, &sh, &m))
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory for the sweep"));
	else if ((rc = prepare_base(&sh, &m, nt, err)) == P304_OK &&
		 (rc = run_workers(&sh, &m, nt, err)) == P304_OK &&
		 (rc = compute_stats(&sh, &m, nt, stats, err)) == P304_OK) {
		sum->done = atomic_load(&sh.done);
		sum->infeasible = atomic_load(&sh.infeasible);
		sum->stored = sh.stored;
		sum->long_double = atomic_load(&sh.long_double);
	}
	sweep_mem_free(&sh, &m);
	return rc;
}
