/*
 * workflow.h - the workflows over in-memory inputs, and the catalogue that
 * holds those inputs.
 *
 * Every file a workflow reads (the scenario, the reference list, the criteria
 * table and its sources, a participants list, the needs and caps of a
 * reconciliation) is asked of a catalogue, by the path the scenario or the
 * command line names:
 *
 *   - p304_catalogue_files(): reads the file at that path the first time it
 *     is asked for, keeps it for the next asks. The command line's
 *     p304_run_allocation(), p304_run_compare() ... are this catalogue plus
 *     the *_in() function below: one code path for both.
 *   - p304_catalogue_load_dir(): reads once every table shipped under a data
 *     folder (reference/, data/, scenarios/). Lookups match the file NAME
 *     only ("../data/criteres-2025.csv", "criteres-2025.csv" and
 *     "criteres-2025" name the same table) and never open a file: what a
 *     request names cannot reach the disk. Read-only after loading, so one
 *     such catalogue is shared by every thread of the server.
 *   - p304_catalogue_overlay(): a per-request catalogue of in-memory files
 *     (the request's scenario, uploaded needs) in front of a shared one.
 *
 * Tables and reference lists are reference-counted (p304_csv_ref,
 * p304_reference_ref): a result keeps what it points into alive.
 */
#ifndef P304_WORKFLOW_H
#define P304_WORKFLOW_H

#include <p304/format.h>

typedef struct p304_catalogue p304_catalogue;

p304_code p304_catalogue_files(p304_catalogue **out, p304_error *err);
p304_code p304_catalogue_load_dir(const char *datadir, p304_catalogue **out,
				  p304_error *err);
/* In front of `parent` (not owned; must outlive the overlay). */
p304_code p304_catalogue_overlay(p304_catalogue *parent, p304_catalogue **out,
				 p304_error *err);
void p304_catalogue_free(p304_catalogue *cat);

/* Adds an in-memory file (copied) named `name` to an overlay or a loaded
 * catalogue. */
p304_code p304_catalogue_add_text(p304_catalogue *cat, const char *name,
				  const char *text, size_t len, p304_error *err);

/* Lookups by path. Each returns a new owner's hold (free it as usual) or an
 * error naming `path` (file mode: the reader's message; closed catalogues:
 * "not one of the tables loaded at start"). */
p304_code p304_catalogue_text(p304_catalogue *cat, const char *path, char **text,
			      size_t *len, p304_error *err);
p304_code p304_catalogue_csv(p304_catalogue *cat, const char *path,
			     p304_csv **out, p304_error *err);
p304_code p304_catalogue_reference(p304_catalogue *cat, const char *path,
				   p304_reference **out, p304_error *err);
/* 1 when `path` names a file the catalogue can give. */
int p304_catalogue_has(p304_catalogue *cat, const char *path);
p304_code p304_catalogue_sha256(p304_catalogue *cat, const char *path,
				char hex[65], p304_error *err);
/* The path the catalogue read `path` from (its own copy), for manifests. */
const char *p304_catalogue_where(p304_catalogue *cat, const char *path);

/* The data folder's tables (load_dir only; 0 otherwise): the criteria
 * tables of data/ (not their .sources.csv), in name order. */
size_t p304_catalogue_ntables(const p304_catalogue *cat);
/* id ("criteres-2025"), file name, the table, its sources (or NULL). */
const char *p304_catalogue_table_id(const p304_catalogue *cat, size_t i);
const char *p304_catalogue_table_file(const p304_catalogue *cat, size_t i);
const p304_csv *p304_catalogue_table_csv(const p304_catalogue *cat, size_t i);
const p304_csv *p304_catalogue_table_sources(const p304_catalogue *cat, size_t i);
/* The folder given to load_dir. */
const char *p304_catalogue_dir(const p304_catalogue *cat);

/* ------------------------------------------------------------------ */
/* The workflows from files: the command line's entry points            */
/* ------------------------------------------------------------------ */
/* Each is p304_run_on_files() over its *_in() function below; the result
 * types and their writers are in format.h. */

/* A full allocation run: scenario + table + reference -> result */
/* How an allocation runs: p304_run_allocation(), and every workflow that
 * starts with one (reconcile, sweep, compare) passes it on. Zero-initialise,
 * then set what differs: a new option of the allocation is one field here,
 * not one more wrapper. A NULL pointer means every default. */
typedef struct p304_alloc_options {
	const char *default_reference; /* the reference list when the scenario names none */
	const char *complement;        /* a complement table replacing the scenario's
					* "complement" (issue 21), or NULL */
} p304_alloc_options;

/* Loads every input of the scenario, checks them, allocates. `validate`
 * uses the same call and writes nothing. Free with p304_result_free. */
p304_code p304_run_allocation(const char *scenario_path, const p304_alloc_options *opt,
			      p304_result **out, p304_error *err);
void p304_result_free(p304_result *res);

/* Adds a warning (copied) to a result. */
p304_code p304_result_add_warning(p304_result *res, const char *text,
				  p304_error *err);

/* Records an input file (role, path, SHA-256) in the result's manifest. */
p304_code p304_result_add_input(p304_result *res, const char *role,
				const char *path, p304_error *err);

/* Reconciliation run: allocation + needs (+ caps) -> notification */
/* Runs the allocation of the scenario, reads NEEDS.csv (`code;besoin_eur`
 * [+ `date_reception`]) and optionally CAPS.csv, and reconciles with the
 * scenario's policy. Free with p304_notification_free. */
p304_code p304_run_reconcile(const char *scenario_path,
			     const char *default_reference,
			     const char *needs_path, const char *caps_path,
			     p304_notification **out, p304_error *err);

/* The same with the needs taken from an action plan: the P304 lines of each
 * participant, summed (lines the framework does not let P304 fund are left
 * out, with a warning). */
p304_code p304_run_reconcile_plan(const char *scenario_path,
				  const char *default_reference,
				  const char *plan_path, const char *caps_path,
				  p304_notification **out, p304_error *err);
void p304_notification_free(p304_notification *nt);

/* Yearly amendment of a multi-year contract (p304 avenant) */
/* Reads the current amounts (a notification.json — notified_eur —, a
 * repartition.json — amount_eur —, or a CSV code;montant_eur) and the
 * consumption (CSV code;consomme_eur), then applies the rule. Free with
 * p304_avenant_result_free. */
p304_code p304_run_avenant(const char *current_path, const char *consumed_path,
			   const char *reference_path, p304_avenant_rule rule,
			   int rate_bp, p304_avenant_result **out, p304_error *err);
void p304_avenant_result_free(p304_avenant_result *av);
/* Applies the rule to av->lines (read by the caller, with av->rate_bp set):
 * each line's row and av's totals. av stays the caller's. */
p304_code p304_avenant_apply(p304_avenant_result *av, p304_avenant_rule rule,
			     p304_error *err);
p304_code p304_write_avenant_json(const p304_avenant_result *av, FILE *fp,
				  p304_error *err);
p304_code p304_write_avenant_csv(const p304_avenant_result *av, FILE *fp,
				 p304_error *err);

/* Comparing two scenarios or results (p304 compare) */
/* A and B are scenario files (then every change is split between the
 * factors that differ, by the Shapley value: docs/compare.md) or result
 * files of p304 (repartition.json, notification.json: amounts only). Free
 * with p304_comparison_free. */
p304_code p304_run_compare(const char *a_path, const char *b_path,
			   const char *default_reference, p304_comparison **out,
			   p304_error *err);
void p304_comparison_free(p304_comparison *cmp);

/* The largest movers, reading from A (the reference) to B (the scenario):
 * up to `per_side` rises (largest first) then up to `per_side` falls
 * (largest fall first), among the authorities present on both sides. By
 * euros (by_pct = 0) or by percentage of the reference amount (by_pct = 1;
 * rows whose reference amount is 0 are left out). `out` must hold
 * 2 × per_side pointers into cmp->rows; returns how many were written and
 * sets *nrises. Ties by code. */
size_t p304_compare_movers(const p304_comparison *cmp, int by_pct, size_t per_side,
			   const p304_compare_row **out, size_t *nrises);

/* (b − a) / a × 100 of a row (0 when a = 0). */
double p304_compare_pct(const p304_compare_row *r);

/* Département sheets (p304 fiches): why an authority got its amount */
/*
 * Builds the sheet of every participant of SCENARIO (a scenario file, or a
 * repartition.json written by p304: its scenario is read from the
 * manifest.json beside it and must give the same amounts) and, when
 * `reference` is not NULL, its change against it (p304_run_compare with the
 * reference as A: the same numbers as `p304 compare REFERENCE SCENARIO`).
 * In memory only; free with p304_fiches_free (accepts NULL).
 */
p304_code p304_run_fiches(const char *path, const char *reference,
			  const char *default_reference, p304_fiches **out,
			  p304_error *err);
void p304_fiches_free(p304_fiches *fs);

/* The comparison row of authority `code` (joined codings: 6AE for 67 + 68),
 * or NULL. */
const p304_compare_row *p304_compare_find(const p304_comparison *cmp, const char *code);

/* Sensitivity sweeps (p304 sweep) */
/* Runs the scenario, then opt->samples variants around it, then one smaller
 * sweep per factor for the tornado summary. Free with p304_sweep_result_free. */
p304_code p304_run_sweep(const char *scenario_path, const char *default_reference,
			 const p304_sweep_options *opt, p304_sweep_result **out,
			 p304_error *err);
void p304_sweep_result_free(p304_sweep_result *sw);

/* What the sweep varied, in French words for the summary and the files:
 * "pondérations ± 5 points (ramenées à 100 %), données ± 10 %, plancher de
 * 500 000 € à 700 000 €". Writes into buf, returns buf. */
const char *p304_sweep_varied_fr(const p304_sweep_result *sw, char *buf, size_t size);

/* The 5-95 % band width as a percentage of the scenario's amount (0 when
 * the amount is 0): ranks small and large authorities alike. */
double p304_sweep_relative_band(const p304_sweep_stat *s);
p304_code p304_write_sweep_json(const p304_sweep_result *sw, FILE *fp, p304_error *err);
p304_code p304_write_sweep_csv(const p304_sweep_result *sw, FILE *fp, p304_error *err);

/* ------------------------------------------------------------------ */
/* The workflows, reading through a catalogue                           */
/* ------------------------------------------------------------------ */

/* Allocates a scenario already parsed (ownership of sc is taken, also on
 * failure). The scenario's own text is its input "scenario" (its SHA-256). */
p304_code p304_allocate_scenario(p304_catalogue *cat, p304_scenario *sc,
				 p304_result **out, p304_error *err);
/* p304_run_allocation() through `cat`: the scenario is the file `path`. */
p304_code p304_run_allocation_in(p304_catalogue *cat, const char *scenario_path,
				 const p304_alloc_options *opt, p304_result **out,
				 p304_error *err);
p304_code p304_run_compare_in(p304_catalogue *cat, const char *a_path,
			      const char *b_path, const char *default_reference,
			      p304_comparison **out, p304_error *err);
p304_code p304_run_reconcile_in(p304_catalogue *cat, const char *scenario_path,
				const char *default_reference, const char *needs_path,
				const char *caps_path, p304_notification **out,
				p304_error *err);
p304_code p304_run_sweep_in(p304_catalogue *cat, const char *scenario_path,
			    const char *default_reference,
			    const p304_sweep_options *opt, p304_sweep_result **out,
			    p304_error *err);
p304_code p304_run_avenant_in(p304_catalogue *cat, const char *current_path,
			      const char *consumed_path, const char *reference_path,
			      p304_avenant_rule rule, int rate_bp, p304_avenant_result **out,
			      p304_error *err);
/* p304_run_reconcile with the caps given in memory (a ledger's, 2024 rule)
 * instead of a CAPS.csv: caps[k] is the cap of the participant coded
 * codes[k] (canonical codes); a participant not named has none.
 * `caps_source` (the ledger file) is recorded as the input "ledger". */
p304_code p304_run_reconcile_given_caps(const char *scenario_path,
					const char *default_reference, const char *needs_path,
					const char *const *codes, const int64_t *caps,
					size_t ncaps, const char *caps_source,
					p304_notification **out, p304_error *err);
/* Records an input (role, the path read, its SHA-256) of a result. */
p304_code p304_result_add_input_in(p304_catalogue *cat, p304_result *res,
				   const char *role, const char *path, p304_error *err);

/* The command line's side of every workflow, written once: `fn` runs over a
 * catalogue that reads files, with paths[0..npaths) (the scenarios the
 * command names) looked for among the shipped data too
 * (p304_shipped_path). p304_run_allocation(), p304_run_compare() ... are
 * this over their *_in() function. */
typedef p304_code (*p304_files_fn)(p304_catalogue *cat, const char *const *paths,
				   void *ctx, p304_error *err);
p304_code p304_run_on_files(const char *const *paths, size_t npaths, p304_files_fn fn,
			    void *ctx, p304_error *err);

/* ------------------------------------------------------------------ */
/* Where the shipped data are (docs/data-dir.md)                        */
/* ------------------------------------------------------------------ */

/* The data folder: $P304_DATA when set; else PREFIX/share/p304 beside an
 * installed PREFIX/bin/p304 when it holds reference/collectivites.csv; else
 * the source tree's inputs/ (compiled in). Thread-safe after the first call. */
const char *p304_datadir(void);
/* A scenario given as `inputs/X` that does not exist from the current folder
 * is looked for as DATADIR/X (an installed p304 runs the shipped scenarios
 * as the README writes them). Returns path itself or buf. */
const char *p304_shipped_path(const char *path, char *buf, size_t size);

#endif /* P304_WORKFLOW_H */
