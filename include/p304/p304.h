/*
 * p304.h - the allocation core of p304: status codes, error detail, and the
 * exact bounded allocation of an envelope between authorities.
 *
 * The core computes and returns a status; it never prints, never exits and
 * knows nothing of files. Loaders live in <p304/io.h>.
 */
#ifndef P304_H
#define P304_H

#include <stddef.h>
#include <stdint.h>

#define P304_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Status and error detail                                             */
/* ------------------------------------------------------------------ */

/*
 * Every library function returns one of these (P304_OK is 0). The CLI maps
 * them to exit codes (docs/exit-codes.md).
 */
typedef enum p304_code {
	P304_OK = 0,
	P304_ERR_USAGE,      /* bad command line or API misuse */
	P304_ERR_INPUT,      /* an input file is malformed or inconsistent */
	P304_ERR_INFEASIBLE, /* the bounds cannot be met with this envelope */
	P304_ERR_IO,         /* a file cannot be read or written */
	P304_ERR_NOMEM,      /* out of memory */
	P304_ERR_OVERFLOW,   /* an amount or a total would not fit in int64 */
	P304_ERR_INTERNAL,   /* a broken invariant: a bug, please report */
	P304_ERR_DEPENDENCY  /* a program p304 needs (gnuplot) is missing */
} p304_code;

/*
 * Where and why an operation failed. `file` is empty and `line` 0 when the
 * problem is not tied to a place in a file.
 */
typedef struct p304_error {
	p304_code code;
	char file[512];
	long line;   /* 1-based, 0 = none */
	long column; /* 1-based field or character, 0 = none */
	char message[768];
} p304_error;

/* Resets `err` to "no error". Accepts NULL. */
void p304_error_clear(p304_error *err);

/* Fills `err` (when not NULL) and returns `code`, so callers can write
 * `return p304_error_set(err, P304_ERR_INPUT, path, line, "...", ...)`. */
p304_code p304_error_set(p304_error *err, p304_code code, const char *file,
			 long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A short static description of `code` ("input error", ...). */
const char *p304_strerror(p304_code code);

/* ------------------------------------------------------------------ */
/* Money                                                               */
/* ------------------------------------------------------------------ */

/* Amounts are whole euros in int64. Larger than this is refused: 10^15 €
 * is far above any budget and keeps every sum of a million rows exact. */
#define P304_MAX_EUR ((int64_t)1000000000000000LL)
/* Columns of a table and criteria of a scenario: what a spreadsheet holds
 * (Excel's 16 384 columns); beyond, a file is refused before any work. */
#define P304_MAX_COLUMNS 16384

/* "No bound": a floor or ceiling that is not set. */
#define P304_NO_BOUND ((int64_t)-1)

/* Checked a + b; returns 0 and sets *out, or -1 on overflow (out untouched). */
int p304_add_i64(int64_t a, int64_t b, int64_t *out);
/* Checked a * b; returns 0 and sets *out, or -1 on overflow. */
int p304_mul_i64(int64_t a, int64_t b, int64_t *out);
/* v in euros with its digits grouped by three, the one formatter of every
 * layer: "-1 234 567 €" with group = " " and suffix = " €"; the note passes
 * U+202F and U+00A0 "€", the core's messages an empty suffix. Writes at most
 * `size` bytes into buf, always terminated (cut short when too small);
 * returns buf. No locale is read. */
const char *p304_format_eur(char *buf, size_t size, int64_t v, const char *group,
			    const char *suffix);

/* ------------------------------------------------------------------ */
/* Allocation                                                          */
/* ------------------------------------------------------------------ */

/* Criterion values are exact fixed-point numbers: value × 1000 in int64, so
 * criterion totals are exact and do not depend on the order of the rows. */
#define P304_VALUE_SCALE 1000

typedef enum p304_status {
	P304_FREE = 0,  /* proportional to its share: λ·s_i */
	P304_FLOOR,     /* raised to the floor */
	P304_CEILING    /* lowered to the ceiling */
} p304_status;

/* "floor", "ceiling" or "free". */
const char *p304_status_name(p304_status st);

/*
 * One allocation problem. The caller owns every array; the core only reads.
 * Rows should be given in code order (the loaders do so): ties in the
 * rounding are broken by code, everything else is independent of row order.
 */
typedef struct p304_problem {
	size_t n;                   /* participants */
	size_t k;                   /* criteria */
	const char *const *codes;   /* n codes, for tie-breaking */
	const int64_t *values;      /* n*k, row-major, × P304_VALUE_SCALE, >= 0 */
	const long double *weights; /* k weights as fractions summing to 1 */
	int64_t envelope_eur;       /* E > 0 */
	int64_t floor_eur;          /* F, or P304_NO_BOUND */
	int64_t ceiling_eur;        /* C, or P304_NO_BOUND */
	int64_t unit_eur;           /* rounding unit >= 1; F and C multiples of it */
} p304_problem;

/* What the core computes for one participant. */
typedef struct p304_row {
	long double share;       /* s_i, sums to 1 over participants */
	long double formula_eur; /* E·s_i, the unbounded amount */
	long double exact_eur;   /* min(C, max(F, λ·s_i)), before rounding */
	int64_t amount_eur;      /* rounded amount, a multiple of the unit */
	p304_status status;
} p304_row;

typedef struct p304_summary {
	long double lambda;      /* the multiplier of the free participants */
	int64_t allocated_eur;   /* Σ amount_eur */
	int64_t unallocated_eur; /* E − allocated (E mod unit) */
	size_t n_floor, n_ceiling, n_free;
} p304_summary;

/*
 * Scratch memory reused between allocations, so that repeated runs (sweeps,
 * benchmarks, comparisons) allocate nothing. Opaque; not thread-safe: use one
 * per thread. Free with p304_workspace_free (accepts NULL).
 */
typedef struct p304_workspace p304_workspace;
p304_workspace *p304_workspace_new(void);
void p304_workspace_free(p304_workspace *ws);

/*
 * Allocates problem->envelope_eur between the participants (the rules of
 * docs/formulas.md):
 *   1. s_i = Σ_k w_k·x_ik / Σ_j x_jk;
 *   2. a_i = min(C, max(F, λ·s_i)) with λ such that Σ a_i = E, solved exactly
 *      over the sorted breakpoints (no tolerance loop);
 *   3. largest-remainder rounding to the unit, ties by code ascending.
 * `rows` must hold problem->n rows and is filled in the problem's order.
 * Errors: P304_ERR_INPUT (criterion total 0, bad weights, bound not a multiple
 * of the unit…), P304_ERR_INFEASIBLE (n·F > E or n·C < E; the message says
 * what would make it feasible), P304_ERR_OVERFLOW, P304_ERR_NOMEM.
 */
p304_code p304_allocate(const p304_problem *problem, p304_workspace *ws,
			p304_row *rows, p304_summary *summary, p304_error *err);

/*
 * The building blocks of p304_allocate, public because reconciliation and
 * sweeps reuse them.
 */

/* Shares s_i of each row (step 1). `totals` (k entries) receives Σ_j x_jk.
 * Errors: P304_ERR_INPUT when a criterion total is 0, P304_ERR_OVERFLOW. */
p304_code p304_compute_shares(size_t n, size_t k, const int64_t *values,
			      const long double *weights, int64_t *totals,
			      long double *shares, p304_error *err);

/*
 * Solves Σ_i clamp(λ·s_i, lo_i, hi_i) = target for λ (step 2 generalised to
 * per-row bounds, as the reconciliation's water-filling needs). lo/hi may be
 * NULL to use lo_all/hi_all for every row; hi_all = P304_NO_BOUND means no
 * upper bound. Writes the exact amounts and each row's position (P304_FLOOR
 * when at lo, P304_CEILING when at hi) and *lambda.
 * Errors: P304_ERR_INFEASIBLE when target is outside [Σlo, Σhi].
 */
p304_code p304_solve_clamped(size_t n, const long double *shares,
			     const int64_t *lo, int64_t lo_all,
			     const int64_t *hi, int64_t hi_all,
			     int64_t target, p304_workspace *ws,
			     long double *lambda, long double *exact,
			     p304_status *position, p304_error *err);

/*
 * Largest-remainder rounding (step 3): amount_i = unit·floor(exact_i/unit),
 * then one more unit to the largest remainders, ties by code ascending, until
 * Σ amount = target (a multiple of unit). A row never gets a unit that would
 * take it above hi_i (hi NULL: hi_all; P304_NO_BOUND: none).
 * Errors: P304_ERR_INTERNAL if the exact amounts cannot round to target.
 */
p304_code p304_round_largest_remainder(size_t n, const long double *exact,
				       const char *const *codes, int64_t unit,
				       int64_t target, const int64_t *hi,
				       int64_t hi_all, p304_workspace *ws,
				       int64_t *amounts, p304_error *err);

/*
 * The bounded-allocation step, steps 2 and 3 on given shares: the exact
 * amounts clamp(λ·s_i, floor, ceiling) adding up to the envelope, then the
 * largest-remainder rounding to the unit (ties by code), the table adding up
 * to the largest multiple of the unit not above the envelope. The one place
 * the rule lives: p304_allocate and each sweep variant run it (the sweep's
 * double-precision filter, sweep_fast.c, is proven equal to it by
 * test_sweep's test_filter_matches_long_double). floor_eur and ceiling_eur
 * may be P304_NO_BOUND; shares, codes: n entries; lambda, exact, position,
 * amounts: outputs (n entries each, lambda one).
 * Errors: those of p304_solve_clamped (the bounds cannot hold the envelope:
 * P304_ERR_INFEASIBLE, P304_ERR_INPUT, P304_ERR_OVERFLOW), then those of
 * p304_round_largest_remainder (P304_ERR_INTERNAL, P304_ERR_USAGE, and
 * P304_ERR_OVERFLOW for an amount out of range), P304_ERR_NOMEM.
 */
typedef struct p304_bounds {
	int64_t floor_eur;    /* P304_NO_BOUND: none */
	int64_t ceiling_eur;  /* P304_NO_BOUND: none */
	int64_t envelope_eur;
	int64_t unit_eur;     /* >= 1 */
} p304_bounds;
p304_code p304_allocate_bounded(size_t n, const long double *shares,
				const char *const *codes, const p304_bounds *b,
				p304_workspace *ws, long double *lambda,
				long double *exact, p304_status *position,
				int64_t *amounts, p304_error *err);

/* The nearest bounds n participants can meet, for an allocation that must
 * run on bounds nobody chose (compare's mixed combinations: B's
 * participants with A's envelope and floor): a floor above envelope / n
 * lowered to the highest feasible one, a ceiling below it raised to the
 * lowest, the numbers p304_allocate's refusals suggest; then the floor put
 * down and the ceiling up on the unit. Returns what was moved to be
 * feasible (P304_FIT_FLOOR | P304_FIT_CEILING, 0 for none). */
enum { P304_FIT_FLOOR = 1, P304_FIT_CEILING = 2 };
unsigned p304_bounds_fit(p304_bounds *b, size_t n);

/* ------------------------------------------------------------------ */
/* Reconciliation: from pre-notified amounts to the notification       */
/* ------------------------------------------------------------------ */

/* What a missing answer means (2025 instruction: no contract by the
 * deadline = renouncing the credits). */
typedef enum p304_missing_answer {
	P304_MISSING_RENOUNCE = 0, /* need = 0 */
	P304_MISSING_KEEP          /* need = the pre-notified amount */
} p304_missing_answer;

/* Where credits left once the granted amounts are served go. */
typedef enum p304_surplus {
	P304_SURPLUS_NONE = 0,   /* stay unallocated (reliquat) */
	P304_SURPLUS_CRITERIA,   /* to unmet needs, in proportion to the shares */
	P304_SURPLUS_UNMET_NEED  /* to unmet needs, in proportion to them */
} p304_surplus;

typedef enum p304_shortfall {
	P304_SHORTFALL_PROPORTIONAL = 0 /* every amount reduced by one rate */
} p304_shortfall;

/* Why a notified amount is what it is (one word each in the outputs). */
typedef enum p304_reason {
	P304_REASON_AS_PRENOTIFIED = 0, /* need equal to, or kept at, the amount */
	P304_REASON_NEED_BELOW,         /* need below the amount: need granted */
	P304_REASON_NEED_ABOVE,         /* need above the amount: amount granted */
	P304_REASON_CAPPED,             /* request limited by the cap (2024 rule) */
	P304_REASON_NO_ANSWER,          /* no need expressed */
	P304_REASON_LATE,               /* answer after the deadline: as missing */
	P304_REASON_REDUCED,            /* lowered by the shortfall rate */
	P304_REASON_TOPPED_UP           /* raised from the surplus */
} p304_reason;

/* "need_below", "topped_up", ... */
const char *p304_reason_name(p304_reason r);

typedef struct p304_recon_input {
	size_t n;
	const char *const *codes;   /* tie-breaks of the rounding */
	const int64_t *prenotified; /* p_i */
	const long double *shares;  /* s_i, for surplus "criteria" */
	const int64_t *need;        /* d_i, or P304_NO_BOUND when no answer */
	const unsigned char *late;  /* 1 when the answer came after the deadline (may be NULL) */
	const int64_t *cap;         /* cap_i or P304_NO_BOUND (may be NULL) */
	int64_t available_eur;      /* A >= 0 */
	int64_t ceiling_eur;        /* C, or P304_NO_BOUND: top-ups stop there */
	p304_missing_answer missing;
	p304_surplus surplus;
	p304_shortfall shortfall;
} p304_recon_input;

typedef struct p304_recon_row {
	int64_t need_eur;        /* d_i after the missing-answer rule */
	int64_t capped_need_eur; /* d'_i = min(d_i, cap_i) */
	int64_t granted_eur;     /* g_i = min(d'_i, p_i) */
	int64_t notified_eur;    /* final amount */
	p304_reason reason;
} p304_recon_row;

typedef struct p304_recon_summary {
	int64_t needs_eur;       /* Σ needs expressed (answers on time) */
	int64_t granted_eur;     /* Σ g_i */
	int64_t notified_eur;    /* Σ notified */
	int64_t unallocated_eur; /* A − Σ notified (reliquat) */
	long double rate;        /* shortfall: A / Σg (1 when no shortfall) */
	size_t n_answered, n_no_answer, n_late, n_capped, n_topped_up, n_reduced;
} p304_recon_summary;

/*
 * Computes the notification (docs/reconciliation.md): granted amounts
 * g_i = min(d'_i, p_i); if Σg > A every amount is reduced by the rate A/Σg
 * (largest remainder to the euro, so the total is A); otherwise the surplus
 * R = A − Σg stays unallocated or goes to unmet needs (capped by the need and
 * the ceiling) by the policy. `rows` must hold in->n rows.
 * Errors: P304_ERR_INPUT (negative amounts), P304_ERR_OVERFLOW, P304_ERR_NOMEM.
 */
p304_code p304_reconcile(const p304_recon_input *in, p304_workspace *ws,
			 p304_recon_row *rows, p304_recon_summary *summary,
			 p304_error *err);

/* ------------------------------------------------------------------ */
/* Action plans: which envelope funds which objective                 */
/* ------------------------------------------------------------------ */

typedef enum p304_framework {
	P304_FRAMEWORK_NONE = 0,
	P304_FRAMEWORK_2020,   /* circular of 20 February 2020: 26 objectives */
	P304_FRAMEWORK_2025    /* instruction 2025/60: 14 objectives */
} p304_framework;

typedef enum p304_envelope {
	P304_ENV_P304 = 0,
	P304_ENV_FIR,
	P304_ENV_ONDAM,
	P304_ENV_COUNT
} p304_envelope;

/* "P304", "FIR", "ONDAM". */
const char *p304_envelope_name(p304_envelope e);
/* Highest objective number of a framework (26 or 14; 0 for NONE). */
int p304_objective_max(p304_framework fw);
/* 1 when `objective` may be funded by `env` in `fw` (2020: P304 6-8, 10-12,
 * 14-26, FIR 1-5 and 13, ONDAM 9 and 24; 2025: FIR 1-5, P304 6-11, ONDAM
 * 12-14), 0 otherwise. */
int p304_objective_fundable(p304_framework fw, p304_envelope env, int objective);
/* Which objectives may fund `env`, for messages ("6-8, 10-12, 14-26"). */
const char *p304_objective_ranges(p304_framework fw, p304_envelope env);
/*
 * Mandatory objectives missing from a plan: present[o] is nonzero when
 * objective o (1-based, present has objective_max + 1 entries) has a line.
 * 2020: the 11 fundamental objectives (1-11); 2025: 1-4, 6, 7 and at least
 * one of 12-14. Writes a text like "6, 7, one of 12-14" into buf (empty when
 * nothing is missing) and returns how many requirements are unmet.
 */
int p304_mandatory_missing(p304_framework fw, const unsigned char *present,
			   char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Multi-year contracts: next year's amount (avenant)                  */
/* ------------------------------------------------------------------ */

/* Contracts are multi-year (2020-2022, 2025-2027): the amount is deemed
 * stable and confirmed by a yearly amendment; it may be reduced after
 * under-consumption ("reprise de crédits"). */
typedef enum p304_avenant_rule {
	P304_AVENANT_STABLE = 0,        /* next = current */
	P304_AVENANT_REDUCE_UNCONSUMED  /* next = current − rate × unconsumed */
} p304_avenant_rule;

typedef enum p304_avenant_reason {
	P304_AV_STABLE = 0,  /* amount confirmed */
	P304_AV_REDUCED,     /* lowered by the unconsumed part */
	P304_AV_CONSUMED,    /* everything consumed: confirmed */
	P304_AV_NO_REPORT    /* no consumption reported: confirmed, to check */
} p304_avenant_reason;

/* "stable", "reduced", "fully_consumed", "no_report". */
const char *p304_avenant_reason_name(p304_avenant_reason r);

typedef struct p304_avenant_row {
	int64_t unconsumed_eur; /* max(0, current − consumed), 0 without report */
	int64_t reduction_eur;  /* floor(unconsumed × rate) */
	int64_t next_eur;       /* current − reduction */
	p304_avenant_reason reason;
} p304_avenant_row;

/*
 * Next year's amounts. consumed[i] = P304_NO_BOUND when no report came.
 * rate_bp is the share of the unconsumed part taken back, in basis points
 * (10000 = all of it); the reduction is floored to the euro so no amount is
 * taken back beyond the rule. Totals are exact integer sums.
 * Errors: P304_ERR_INPUT (negative amount, rate outside 0-10000).
 */
p304_code p304_avenant(size_t n, const int64_t *current, const int64_t *consumed,
		       p304_avenant_rule rule, int rate_bp, p304_avenant_row *rows,
		       p304_error *err);

/* ------------------------------------------------------------------ */
/* Explaining a change: Shapley attribution over factors               */
/* ------------------------------------------------------------------ */

#define P304_MAX_FACTORS 10

/*
 * Splits each row's change between nf factors (nf <= P304_MAX_FACTORS) by
 * the Shapley value: the average, over every order in which the factors can
 * be switched from A to B, of the change the factor causes. values[s*n + i]
 * is row i's amount when the factors in bitmask s take B's value (s = 0: all
 * A; s = 2^nf − 1: all B). contrib[i*nf + f] receives whole euros that add
 * up exactly to values[full][i] − values[0][i]; a factor that never changes
 * anything gets 0, and swapping A and B negates every contribution (the
 * rounding is symmetric). Exact arithmetic in 128-bit integers.
 * Errors: P304_ERR_USAGE when nf is too large.
 */
p304_code p304_shapley(size_t n, size_t nf, const int64_t *values,
		       int64_t *contrib, p304_error *err);

/*
 * The same Shapley values, exact: contribution (i, f) is
 * whole[i*nf + f] + frac[i*nf + f] / *den with 0 <= frac < *den (*den =
 * nf!). For a rounding of the whole table (p304_controlled_round).
 * Errors: P304_ERR_USAGE when nf is too large, P304_ERR_OVERFLOW.
 */
p304_code p304_shapley_exact(size_t n, size_t nf, const int64_t *values, int64_t *whole,
			     int64_t *frac, int64_t *den, p304_error *err);

/*
 * Controlled rounding of an n × m table of exact values whole + frac/den
 * (0 <= frac < den), Cox (1987): out[i*m + f] is whole or whole + 1, and
 * every row total, column total and the grand total of out is one of the
 * two integers adjacent to the exact one, the exact one when it is an
 * integer. Deterministic; negating the table negates out.
 * Errors: P304_ERR_USAGE (den < 1, a frac outside [0, den)), P304_ERR_NOMEM.
 */
p304_code p304_controlled_round(size_t n, size_t m, int64_t den, const int64_t *whole,
				const int64_t *frac, int64_t *out, p304_error *err);

/* ------------------------------------------------------------------ */
/* Sensitivity sweeps                                                   */
/* ------------------------------------------------------------------ */

/* What a sweep varies (bitmask). */
#define P304_VARY_WEIGHTS  1u
#define P304_VARY_DATA     2u   /* every criterion */
#define P304_VARY_FLOOR    4u
#define P304_VARY_CEILING  8u
/* P304_VARY_COLUMN(k): the data of criterion k only (k < 16) */
#define P304_VARY_COLUMN(k) (16u << (k))

typedef struct p304_sweep_spec {
	const p304_problem *base;  /* the scenario; variant 0 is the base itself */
	size_t samples;            /* variants, base included */
	uint64_t seed;
	unsigned vary;             /* P304_VARY_* */
	double weight_points;      /* each weight ± up to this many points, then
				    * renormalised to 100 % */
	double data_pct;           /* each figure × (1 ± up to this %) */
	int64_t floor_min, floor_max;     /* uniform, rounded to the unit */
	int64_t ceiling_min, ceiling_max;
	int threads;               /* >= 1; results do not depend on it */
	size_t max_stored;         /* amounts kept for the percentiles (0: 16M) */
	/* called now and then from the calling thread; may be NULL */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
	/* 1: every variant through the long double path, without the double
	 * precision filter (same results, slower; for tests and checks) */
	int long_double_only;
} p304_sweep_spec;

typedef struct p304_sweep_stat {
	int64_t base_eur, min_eur, p5_eur, median_eur, p95_eur, max_eur;
	size_t at_floor, at_ceiling; /* variants where the authority sits there */
} p304_sweep_stat;

typedef struct p304_sweep_summary {
	size_t done;        /* variants computed */
	size_t infeasible;  /* variants whose bounds could not be met (skipped) */
	size_t stored;      /* variants behind the percentiles (every one, or a
			     * regular subsample when n × samples is too large) */
	size_t long_double; /* variants the double precision filter left to the
			     * long double path (a decision too close to call) */
} p304_sweep_summary;

/*
 * Runs spec->samples allocations around the base problem with the exact
 * solver and rounding of p304_allocate; variant v draws from its own random
 * stream (seed, v), so results are identical for any number of threads.
 * Each variant is first evaluated in double precision and kept only when
 * every decision (bounds, floors, largest remainders) holds by more than a
 * proven error bound; otherwise it runs through the long double path. The
 * amounts are those of the long double path either way.
 * Per-variant work reuses precomputed totals (when data do not vary) and
 * per-thread buffers: nothing is allocated per variant. `stats` holds
 * base->n entries. Percentiles are nearest-rank over the stored variants.
 */
p304_code p304_sweep(const p304_sweep_spec *spec, p304_sweep_stat *stats,
		     p304_sweep_summary *summary, p304_error *err);

#endif /* P304_H */
