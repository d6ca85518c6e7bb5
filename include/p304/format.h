/*
 * format.h - p304's file formats (src/format/): numbers and codes as officers
 * type them, criteria tables exported from Excel (libcsv, iconv), the
 * reference list of authorities, scenarios (cJSON), action plans, the result
 * types of every workflow and their writers (JSON, CSV, xlsx, manifests),
 * output sets written all or nothing, SHA-256, the messages' language.
 * The workflows that fill the results (p304_run_allocation, ...) are in
 * workflow.h; <p304/io.h> includes both.
 *
 * Every function returns a p304_code and fills a p304_error with the file and
 * line of the problem. Nothing here prints or exits.
 */
#ifndef P304_FORMAT_H
#define P304_FORMAT_H

#include <stdio.h>

#include <p304/p304.h>

/* ------------------------------------------------------------------ */
/* Numbers and codes                                                   */
/* ------------------------------------------------------------------ */

/*
 * Parses a non-negative decimal written the way French spreadsheets write it:
 * digits, optional thousands separators (space, U+00A0, U+202F) in groups of
 * three, one optional decimal mark (',' or '.') followed by at most
 * `max_decimals` digits. Surrounding spaces are ignored. Rejects signs,
 * exponents, NaN/Infinity and trailing text.
 * On success returns 0 and *out = value × 10^max_decimals (exact).
 * On failure returns -1 and writes into why the reason and what was expected
 * ("is negative, expected 0 or more", "is not a number, expected digits such
 * as ...", "is too large, expected at most 5 000", ...; at most 255
 * bytes) or exactly "is empty" for a blank cell.
 */
int p304_parse_decimal(const char *s, size_t len, int max_decimals,
		       int64_t max_scaled, int64_t *out, char *why,
		       size_t why_size);

/* Flags of p304_parse_number. */
#define P304_NUM_EUR   1u /* an amount: a trailing "€", "EUR" or "euros" is accepted,
			   * non-zero cents are refused as cents */
#define P304_NUM_COUNT 2u /* a decimal field that usually holds counts (criteria):
			   * "1,450" or "700.000" (one mark before exactly 3 digits,
			   * 1-3 digits before it) is refused as ambiguous */

/*
 * p304_parse_decimal with flags. In every whole-number field
 * (max_decimals 0) one '.' or ',' followed by exactly 3 digits ("250.000")
 * is refused as ambiguous: it is a thousands separator to whoever typed it.
 * Several '.' or ',' ("1.500.000", "1,500,000.00") are refused in every
 * field, with the forms accepted. Reasons are at most 255 bytes.
 */
int p304_parse_number(const char *s, size_t len, int max_decimals,
		      int64_t max_scaled, unsigned flags, int64_t *out,
		      char *why, size_t why_size);

/*
 * Normalises an authority code: surrounding spaces removed, letters upper
 * case, a lone digit padded ("1" -> "01", because Excel drops leading zeros).
 * Codes are strings, never numbers. Returns 0, or -1 when the result would be
 * empty, longer than out_size - 1, or hold characters other than [0-9A-Z].
 */
int p304_normalize_code(const char *s, size_t len, char *out, size_t out_size);

/* ------------------------------------------------------------------ */
/* Reference list of authorities                                       */
/* ------------------------------------------------------------------ */

typedef struct p304_authority {
	const char *code;        /* canonical code: "49", "2A", "20R", "69M" */
	const char *name;        /* "Maine-et-Loire" */
	const char *region_code; /* "52" */
	const char *region_name; /* "Pays de la Loire" */
	const char *kind;        /* "departement", "collectivite_unique", ... */
	int valid_from, valid_to;/* years, 0 = open */
	const char *aliases;     /* other codings, '|'-separated ("20|20D") */
	const char *members;     /* codes it gathers, '|'-separated ("67|68") */
} p304_authority;

/* Opaque; free with p304_reference_free (accepts NULL). */
typedef struct p304_reference p304_reference;

/* Loads inputs/reference/collectivites.csv (format: docs/formats.md). */
p304_code p304_reference_load(const char *path, p304_reference **out,
			      p304_error *err);
/* Frees one owner's hold: the list is freed when its last owner frees it.
 * p304_reference_ref adds an owner (thread-safe); returns ref. */
void p304_reference_free(p304_reference *ref);
p304_reference *p304_reference_ref(p304_reference *ref);
const char *p304_reference_path(const p304_reference *ref);
size_t p304_reference_count(const p304_reference *ref);
const p304_authority *p304_reference_at(const p304_reference *ref, size_t i);
/* Finds an authority by its canonical code or one of its aliases, after
 * normalisation; NULL when unknown. The pointer lives as long as ref. */
const p304_authority *p304_reference_find(const p304_reference *ref,
					  const char *code);

/* 1 when `whole` gathers `part` ("composee_de": 67 is part of 6AE, 69D of 69). */
int p304_authority_part_of(const p304_authority *part, const p304_authority *whole);

/*
 * A hint for messages about authority `a`, from the reference list's
 * compositions and years, starting with "; " (or empty): "; since 2021 68
 * (Haut-Rhin) is part of 6AE (Collectivité européenne d'Alsace): use the code
 * 6AE", "; since 2015 69 (Rhône) is split into 69D (...) and 69M (...)".
 */
void p304_authority_hint(const p304_reference *ref, const p304_authority *a,
			 char *buf, size_t size);

/* A hint for a code absent from the list ("02A" -> "; did you mean '2A'
 * (Corse-du-Sud)?"), or empty. */
void p304_reference_unknown_hint(const p304_reference *ref, const char *code,
				 char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* CSV tables                                                          */
/* ------------------------------------------------------------------ */

/*
 * A CSV file read as text: header and cells, UTF-8, one record per data row
 * (blank rows and rows of separators dropped), each with its line number.
 * Accepts ';', ',' or tab (sniffed from the header line), quoted fields, CRLF,
 * a UTF-8 BOM, and Windows-1252 text (converted with iconv). Opaque; free
 * with p304_csv_free (accepts NULL).
 */
typedef struct p304_csv p304_csv;

p304_code p304_csv_load(const char *path, p304_csv **out, p304_error *err);
/* The same from a buffer already in memory (copied); `path` names it in
 * messages. */
p304_code p304_csv_parse(const char *path, const char *data, size_t len,
			 p304_csv **out, p304_error *err);
/* As for the reference list: p304_csv_ref adds an owner (thread-safe), each
 * owner frees once, the last one frees the table. */
void p304_csv_free(p304_csv *csv);
p304_csv *p304_csv_ref(p304_csv *csv);
const char *p304_csv_path(const p304_csv *csv);
size_t p304_csv_ncols(const p304_csv *csv);
size_t p304_csv_nrows(const p304_csv *csv);
const char *p304_csv_header(const p304_csv *csv, size_t col);
/* Index of the column named `name` (exact, after trimming), or -1. */
long p304_csv_find_column(const p304_csv *csv, const char *name);
/* The cell text ("" when the row was short). Lives as long as csv. */
const char *p304_csv_cell(const p304_csv *csv, size_t row, size_t col);
long p304_csv_line(const p304_csv *csv, size_t row);
/* "code;nom;enfants_0_19" style list of the header, for messages. */
void p304_csv_describe_columns(const p304_csv *csv, char *buf, size_t size);
/* The delimiter found (';', ',' or '\t') and whether iconv converted the
 * file from Windows-1252. */
char p304_csv_delimiter(const p304_csv *csv);
int p304_csv_was_cp1252(const p304_csv *csv);

/* ------------------------------------------------------------------ */
/* Scenario                                                            */
/* ------------------------------------------------------------------ */

typedef enum p304_missing_rule {
	P304_MISSING_ERROR = 0, /* a hole in a used column is an error */
	P304_MISSING_EXCLUDE    /* the authority is left out, with a warning */
} p304_missing_rule;

typedef struct p304_criterion {
	char *column;
	double weight_pct;
} p304_criterion;

/* Fill a hole in `column` with from_i × Σcolumn / Σfrom, the totals taken
 * over the participants that have both figures (ratio imputation). */
typedef struct p304_impute_rule {
	char *column;
	char *from;
} p304_impute_rule;

typedef enum p304_participants_kind {
	P304_PARTICIPANTS_ALL = 0,
	P304_PARTICIPANTS_LIST,
	P304_PARTICIPANTS_FILE
} p304_participants_kind;

/* The scenario's "reconciliation" object (docs/reconciliation.md). */
typedef struct p304_recon_policy {
	int64_t available_eur;      /* P304_NO_BOUND = the envelope */
	p304_missing_answer missing;
	p304_surplus surplus;
	p304_shortfall shortfall;
	char **caps_columns;        /* first non-empty column of CAPS.csv is the cap */
	size_t ncaps_columns;
	long deadline;              /* yyyymmdd, 0 = none */
} p304_recon_policy;

/* A scenario as read from its JSON file (contract: docs/formats.md). Paths
 * are resolved relative to the scenario file. Free with p304_scenario_free. */
typedef struct p304_scenario {
	char *path;            /* the scenario file */
	char *id, *title;
	int64_t envelope_eur;
	char *data_path;       /* resolved "data" */
	char *reference_path;  /* resolved "reference", or the default */
	p304_criterion *criteria;
	size_t ncriteria;
	int64_t floor_eur, ceiling_eur; /* P304_NO_BOUND when absent/null */
	int64_t rounding_eur;
	p304_participants_kind participants_kind;
	char **participants;   /* LIST: the codes as written */
	long *participants_pos;/* LIST: line of each code in the JSON */
	size_t nparticipants;
	char *participants_path; /* FILE: resolved path */
	p304_missing_rule missing;
	p304_recon_policy recon;  /* "reconciliation" (defaults when absent) */
	p304_framework framework; /* "framework": "2020" or "2025" (action plans) */
	p304_impute_rule *impute; /* "impute": explicit ratio imputations */
	size_t nimpute;
	char *complement_path; /* resolved "complement" (issue 21), or NULL */
	char *text;            /* the scenario file as read (for the manifest) */
} p304_scenario;

/* Is `id` a valid scenario or result id: 1 to 100 letters, digits, '.', '_'
 * or '-', not "." or ".." (an id names the output folder, outputs/ID). */
int p304_id_valid(const char *id);

/* Reads and checks a scenario: unknown keys (with the nearest valid key),
 * duplicate keys, wrong types, amounts that are not whole euros, weights
 * not summing to 100 %. `default_reference` is used when the file has no
 * "reference" key (may be NULL). */
p304_code p304_scenario_load(const char *path, const char *default_reference,
			     p304_scenario **out, p304_error *err);
/* The same from text in memory (copied); paths resolve against `path`. */
p304_code p304_scenario_parse(const char *path, const char *text, size_t len,
			      const char *default_reference, p304_scenario **out,
			      p304_error *err);
void p304_scenario_free(p304_scenario *sc);

/* ------------------------------------------------------------------ */
/* Complement table (issue 21): code;critere;valeur;source              */
/* ------------------------------------------------------------------ */

/* One figure an officer supplies where the criteria table has none. */
typedef struct p304_complement_value {
	const p304_authority *auth; /* in the reference list given to the reader */
	const char *column;         /* the criterion (a cell of the table) */
	int64_t value;              /* × P304_VALUE_SCALE */
	const char *source;         /* where it comes from (a cell of the table) */
	long line;
} p304_complement_value;

/* Free with p304_complement_free; lives no longer than its reference list. */
typedef struct p304_complement {
	p304_csv *csv;              /* an owner's reference: the strings live there */
	p304_complement_value *v;   /* sorted by code, then criterion */
	size_t n;
} p304_complement;

/* Checks every line of `csv` (format: docs/formats.md): a code of `ref`, a
 * criterion among `known`, a count of 0 or more, a source, one line per
 * (code, criterion); refusals name the line and the field. */
p304_code p304_complement_read(p304_csv *csv, const p304_reference *ref,
			       const char *const *known, size_t nknown,
			       p304_complement **out, p304_error *err);
/* The value of `a` for `column`, or NULL (c may be NULL). */
const p304_complement_value *p304_complement_find(const p304_complement *c,
						  const p304_authority *a,
						  const char *column);
int p304_complement_has_column(const p304_complement *c, const char *column);
void p304_complement_free(p304_complement *c);

/* ------------------------------------------------------------------ */
/* A full allocation run: scenario + table + reference -> result        */
/* ------------------------------------------------------------------ */

typedef struct p304_input_file {
	char *role;   /* "scenario", "data", "reference", "participants" */
	char *path;
	char sha256[65];
} p304_input_file;

/* An authority of the scenario left out for missing data ("missing":
 * "exclude"): named in the outputs and the summary, not only warned about. */
typedef struct p304_excluded {
	const char *code, *name; /* in reference */
	char *columns;           /* "enfants_ase, menages_pauvres" (owned) */
	long line;               /* its line in the criteria table */
} p304_excluded;

/* One authority of the result, in code order. */
typedef struct p304_result_row {
	const char *code, *name, *region_code, *region_name; /* in reference */
	long line;          /* its line in the criteria table */
	int64_t *criteria;  /* ncriteria values × P304_VALUE_SCALE */
	unsigned char *imputed; /* per criterion: 1 when imputed */
	const char **supplied;  /* per criterion: the complement table's source
				 * when the figure came from it, else NULL; NULL
				 * when none did (strings owned by the result) */
	p304_row alloc;
} p304_result_row;

typedef struct p304_result {
	p304_scenario *scenario;  /* owned */
	p304_reference *reference;/* owned */
	char **sources;           /* per criterion: provenance text, or NULL */
	p304_result_row *rows;
	size_t nrows;
	p304_summary summary;
	p304_input_file *inputs;
	size_t ninputs;
	char **warnings;          /* e.g. who was excluded for a hole */
	size_t nwarnings;
	char *sources_path;       /* "<data>.sources.csv" when it exists */
	p304_csv *sources_table;  /* that table as read by the run (a reference,
				   * p304_result_free drops it): documents read
				   * their sources here, never from disk again */
	p304_excluded *excluded;  /* left out for missing data, in code order */
	size_t nexcluded;
	p304_complement *complement; /* owned: the scenario's complement table, or NULL */
} p304_result;




/* A date written 2025-06-30 or 30/06/2025, as yyyymmdd; -1 if invalid. */
long p304_parse_date(const char *s);

/* The provenance of each criterion in words, for documents people read
 * (the note, the département sheets), from "<data>.sources.csv": label
 * ("Enfants de 0 à 19 ans"), words ("INSEE, …, au 1er janvier 2019
 * (provisoire)") and method (how the column was built). Without a sources
 * file, the column name and "source non renseignée". *out holds
 * res->scenario->ncriteria entries; free with p304_sources_free. */
typedef struct p304_source_text {
	char *label, *words, *method;
} p304_source_text;
p304_code p304_sources_read(const p304_result *res, p304_source_text **out,
			    p304_error *err);
void p304_sources_free(p304_source_text *s, size_t n);
/* A warning of the run (res->warnings) in the words of a document read by
 * an officer (the note, the workbook): « Guyane (973) : « Ménages pauvres »
 * est une valeur estimée à partir de « Enfants de 0 à 19 ans » (…) »
 * instead of `'menages_pauvres' imputé à …`; criteria by their labels (src,
 * from p304_sources_read; NULL: the column names), no « fichier.csv:ligne ».
 * The page says the same (warningInWords, state.js). Into buf, returned. */
const char *p304_warning_words(const p304_result *res, const p304_source_text *src,
			       const char *w, char *buf, size_t size);
/* 20190101 -> "1er janvier 2019" (into buf, returned). */
const char *p304_date_fr(long yyyymmdd, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Reconciliation run: allocation + needs (+ caps) -> notification      */
/* ------------------------------------------------------------------ */

typedef struct p304_notification {
	p304_result *alloc;        /* owned: the pre-notification */
	p304_recon_row *rows;      /* aligned with alloc->rows */
	int64_t *need;             /* as expressed, P304_NO_BOUND = no answer */
	int64_t *cap;              /* P304_NO_BOUND = none */
	long *received;            /* yyyymmdd or 0 */
	unsigned char *late;
	unsigned char *absent;     /* 1: no line in the needs file at all */
	size_t n_absent;           /* participants absent from the needs file */
	char *cents_note;          /* needs written with cents, rounded down to
				    * the euro: what was done, in words; NULL
				    * when none (owned) */
	int64_t available_eur;
	p304_recon_summary summary;
} p304_notification;


/* The participants without an answer (late = 0) or with a late one (late =
 * 1), as "44 Loire-Atlantique, 59 Nord (absent du fichier)" — "absent du
 * fichier" when the needs file has no line for it — into buf (empty when
 * none); returns how many. For the summary, the CSV, the workbook. A list
 * longer than size ends in "..."; P304_MISSING_TEXT_MAX holds every
 * participant of a round (101 × at most 160 bytes), so that the files name
 * them all (a workbook cut the 93 silent départements at « 33 Gironde (a... »). */
#define P304_MISSING_TEXT_MAX 16384
size_t p304_notification_missing_text(const p304_notification *nt, int late,
				      char *buf, size_t size);
p304_code p304_write_notification_json(const p304_notification *nt, FILE *fp,
				       p304_error *err);
p304_code p304_write_notification_csv(const p304_notification *nt, FILE *fp,
				      p304_error *err);

/* ------------------------------------------------------------------ */
/* Action plans (code;objectif;enveloppe;montant_eur)                  */
/* ------------------------------------------------------------------ */

typedef struct p304_plan_line {
	const p304_authority *auth; /* lives as long as the reference list */
	long line;
	int objective;
	p304_envelope envelope;
	int64_t amount_eur;
} p304_plan_line;

typedef struct p304_plan {
	char *path;
	p304_plan_line *lines;
	size_t nlines;
} p304_plan;

/* Reads an action plan: one line per action. Codes resolve through `ref`;
 * envelopes are P304, FIR or ONDAM (ONDAM MS, ONDAM_MS accepted). Free with
 * p304_plan_free. */
p304_code p304_plan_load(const char *path, const p304_reference *ref,
			 p304_plan **out, p304_error *err);
/* The same from a table already read (not taken); `path` names it in errors. */
p304_code p304_plan_from_csv(const p304_csv *csv, const char *path, const p304_reference *ref,
			     p304_plan **out, p304_error *err);
void p304_plan_free(p304_plan *plan);

/* One problem found in a plan: "file:line: message" (line 0 for a problem
 * of an authority as a whole). */
typedef struct p304_finding {
	long line;
	char message[400];
} p304_finding;

/* Checks a plan against a framework: objectives unknown to it, lines whose
 * objective the named envelope may not fund, mandatory objectives missing per
 * authority. *out (malloc'd, caller frees) receives the findings in file
 * order, then per authority in code order. */
p304_code p304_plan_check(const p304_plan *plan, p304_framework fw,
			  p304_finding **out, size_t *nout, p304_error *err);

/* ------------------------------------------------------------------ */
/* Yearly amendment of a multi-year contract (p304 avenant)             */
/* ------------------------------------------------------------------ */

typedef struct p304_avenant_line {
	const p304_authority *auth;
	int64_t current_eur;
	int64_t consumed_eur;   /* P304_NO_BOUND = no report */
	p304_avenant_row row;
} p304_avenant_line;

typedef struct p304_avenant_result {
	char *id;                 /* of the current amounts ("2020-vague1-notification") */
	p304_reference *reference;/* owned */
	p304_avenant_line *lines; /* in code order */
	size_t nlines;
	p304_avenant_rule rule;
	int rate_bp;
	int64_t current_eur, consumed_eur, reduction_eur, next_eur;
	size_t n_reduced, n_no_report;
	p304_input_file *inputs;
	size_t ninputs;
} p304_avenant_result;


/* ------------------------------------------------------------------ */
/* Comparing two scenarios or results (p304 compare)                   */
/* ------------------------------------------------------------------ */

typedef struct p304_compare_row {
	char *code, *name;        /* owned */
	int in_a, in_b;           /* takes part on each side */
	int64_t a_eur, b_eur;
	const char *status_a, *status_b; /* "floor", "ceiling", "free", "absent" */
	int rank_a, rank_b;       /* 1 = largest amount; 0 = absent */
	int64_t *contrib;         /* per factor (all factor names), whole euros */
	char *note;               /* e.g. "6AE compared with 67 + 68 in A" */
} p304_compare_row;

typedef struct p304_comparison {
	char *a_id, *b_id, *a_title, *b_title;
	int decomposed;           /* both sides are scenarios */
	char **factors;           /* every factor name, in order */
	unsigned char *differs;   /* per factor: 1 when A and B differ on it */
	size_t nfactors;
	p304_compare_row *rows;   /* in code order */
	size_t nrows;
	int64_t a_total, b_total;
	size_t winners, losers, unchanged, entering, leaving;
	char **notes;             /* joins across codings, adjustments */
	size_t nnotes;
	p304_input_file *inputs;  /* of both sides */
	size_t ninputs;
} p304_comparison;


/* The French label of a factor name of the contract ("envelope" ->
 * "enveloppe", "data:enfants_ase" -> "données enfants_ase"), for the CSV,
 * the workbook, the charts and the note. Writes into buf, returns buf. */
const char *p304_factor_label_fr(const char *factor, char *buf, size_t size);
/* The factor that moved row r most (largest |contribution| among the
 * factors that differ), leaving the envelope aside when another factor
 * moved the row too: a uniform change of the envelope moves every row, so it
 * is named only when it is the whole story. NULL when the change is not
 * decomposed or nothing moved the row. */
const char *p304_compare_main_factor(const p304_comparison *cmp,
				     const p304_compare_row *r);
/* The order of the rows in the comparison's files: by change b − a, largest
 * rise first, largest fall last (authorities entering or leaving by their
 * change too), ties by code. `order` receives cmp->nrows indexes. */
void p304_compare_order(const p304_comparison *cmp, size_t *order);
/* "floor" -> "plancher", "ceiling" -> "plafond", "free" -> "formule",
 * "absent", "mixed" -> "mixte": the French word of a status, everywhere. */
const char *p304_status_label_fr(const char *status_name);
p304_code p304_write_comparison_json(const p304_comparison *cmp, FILE *fp,
				     p304_error *err);
p304_code p304_write_comparison_csv(const p304_comparison *cmp, FILE *fp,
				    p304_error *err);

/* ------------------------------------------------------------------ */
/* Département sheets (p304 fiches): why an authority got its amount     */
/* ------------------------------------------------------------------ */

typedef struct p304_fiche_indicator {
	const char *column;       /* the criterion's column (in the scenario) */
	const char *label;        /* "Enfants de 0 à 19 ans" (in the sources) */
	const char *source;       /* in words: "INSEE, …, au 1er janvier 2019" */
	double weight_pct;        /* 28.5 */
	int64_t value;            /* the authority's figure × P304_VALUE_SCALE */
	int64_t total;            /* Σ over the participants × P304_VALUE_SCALE */
	double share_pct;         /* value / total × 100 */
	int imputed;              /* 1: the figure was imputed (see warnings) */
	const char *supplied;     /* the complement table's source, or NULL */
} p304_fiche_indicator;

typedef struct p304_fiche {
	const p304_result_row *row;   /* code, name, region, criteria, status */
	p304_fiche_indicator *ind;    /* ncriteria entries */
	double share_pct;             /* s_i × 100 */
	double formula_eur;           /* E·s_i, with cents */
	double exact_eur;             /* between floor and ceiling, before rounding */
	double rounding_eur;          /* amount − exact */
	int64_t amount_eur;
	int rank;                     /* 1 = largest amount */
	/* against the reference (p304_fiches.cmp): NULL without one */
	const p304_compare_row *change;
} p304_fiche;

typedef struct p304_fiches {
	p304_result *res;             /* owned: the allocation explained */
	p304_comparison *cmp;         /* owned: reference = A, this scenario = B; or NULL */
	p304_source_text *src;        /* owned: res->scenario->ncriteria entries */
	p304_fiche *f;                /* one per participant, in code order */
	size_t n;
	/* not owned, or NULL: the campaign's history (--ledger), each sheet
	 * shows its years × stages (include/p304/ledger.h) */
	const struct p304_ledger_digest *hist;
} p304_fiches;


/* ------------------------------------------------------------------ */
/* Sensitivity sweeps (p304 sweep)                                      */
/* ------------------------------------------------------------------ */

typedef struct p304_sweep_options {
	size_t samples;
	uint64_t seed;
	int vary_weights, vary_data;   /* 1 = vary */
	double weight_points, data_pct;
	int64_t floor_min, floor_max;  /* P304_NO_BOUND = keep the scenario's */
	int64_t ceiling_min, ceiling_max;
	int threads;
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
} p304_sweep_options;

typedef struct p304_tornado {
	char *factor;          /* "weights", "data:enfants_ase", "floor", "ceiling" */
	int64_t spread_eur;    /* mean width of the 5-95 % band, over authorities */
} p304_tornado;

typedef struct p304_sweep_result {
	p304_result *base;     /* owned: the scenario's own allocation */
	p304_sweep_options opt;
	p304_sweep_stat *stats;/* aligned with base->rows */
	p304_sweep_summary summary;
	p304_tornado *tornado; /* largest spread first */
	size_t ntornado;
	double seconds;        /* wall time of the main sweep */
} p304_sweep_result;


/* ------------------------------------------------------------------ */
/* Regional totals (--by region): the préfet de région runs the BOP 304  */
/* ------------------------------------------------------------------ */

typedef struct p304_region_total {
	const char *code, *name;  /* point into the rows */
	size_t n;                 /* authorities */
	int64_t amount[2];        /* e.g. pre-notified and notified */
} p304_region_total;

/* Totals by region of one or two amount columns (amount_b may be NULL), in
 * region-code order. `out` must hold nrows entries; returns how many regions. */
size_t p304_region_totals(const p304_result_row *rows, size_t nrows,
			  const int64_t *amount_a, const int64_t *amount_b,
			  p304_region_total *out);
/* par-region.csv: code, région, collectivités, the amount columns named by
 * `labels` (1 or 2), and a TOTAL row. */
p304_code p304_write_regions_csv(const p304_region_total *t, size_t n,
				 const char *const *labels, size_t namounts,
				 FILE *fp, p304_error *err);

/* ------------------------------------------------------------------ */
/* Excel workbooks (libxlsxwriter)                                      */
/* ------------------------------------------------------------------ */

/* Sheets "Paramètres", "Répartition" (or "Notification", "Comparaison") and
 * "Par région": euro format, frozen header, autofilter, widths, a totals row
 * written as =SUM(...) carrying our exact total, the sources in a footer.
 * Each writes the whole .xlsx to fp. */
p304_code p304_write_xlsx_allocation(const p304_result *res, FILE *fp, p304_error *err);
p304_code p304_write_xlsx_notification(const p304_notification *nt, FILE *fp,
				       p304_error *err);
p304_code p304_write_xlsx_comparison(const p304_comparison *cmp, FILE *fp,
				     p304_error *err);
/* A sensitivity sweep: "Paramètres" (what varied, the seed last), "Sensibilité"
 * (each amount's range, by scenario amount) and "Tornade" (each factor's mean
 * 5-95 % width, with one sentence saying what it means). */
p304_code p304_write_xlsx_sweep(const p304_sweep_result *sw, FILE *fp, p304_error *err);

/* ------------------------------------------------------------------ */
/* Writers                                                             */
/* ------------------------------------------------------------------ */

/* repartition.json (contract), repartition.csv (Excel, French), and the
 * manifest. Each writes the whole file to `fp`; output is deterministic. */
p304_code p304_write_result_json(const p304_result *res, FILE *fp,
				 p304_error *err);
p304_code p304_write_result_csv(const p304_result *res, FILE *fp,
				p304_error *err);
/* `argv` (NULL-terminated) is the command that made the set, with its
 * actual output folder: `p304 verify` reruns it. `files` (NULL-terminated,
 * may be NULL) names every file of the set, manifest.json included: a later
 * run replaces only these (what p304 did not write is kept) and `p304
 * verify` compares only these. */
p304_code p304_write_manifest(const p304_result *res, const char *const *argv,
			      const char *const *files, FILE *fp, p304_error *err);
/* A manifest with only the inputs (commands without a scenario). */
p304_code p304_write_inputs_manifest(const p304_input_file *inputs, size_t n,
				     const char *const *argv, const char *const *files,
				     FILE *fp, p304_error *err);

/*
 * An output set written all or nothing: files are written into a fresh
 * temporary directory beside `dir`, then the directory is put in place by
 * one rename (or an atomic exchange with a previous p304 output directory).
 * Files of the previous set that p304 did not write (not listed in its
 * manifest's "files") are kept in the new one; a symbolic link given as
 * `dir` is followed (the folder it points to is replaced, the link kept).
 * A directory that exists and was not written by p304 is refused, so an
 * input can never be overwritten.
 */
typedef struct p304_outset p304_outset;
/* `inputs` (n paths) are the run's input files: a directory holding one of
 * them is refused as output. */
p304_code p304_outset_begin(const char *dir, const char *const *inputs,
			    size_t ninputs, p304_outset **out, p304_error *err);
/* Opens `name` inside the set for writing; close it with fclose. */
FILE *p304_outset_open(p304_outset *set, const char *name, p304_error *err);
p304_code p304_outset_commit(p304_outset *set, p304_error *err);
/* Removes what was written and frees; accepts NULL. */
void p304_outset_abort(p304_outset *set);

/* SHA-256 of a file, as 64 hex digits. */
p304_code p304_sha256_file(const char *path, char hex[65], p304_error *err);
/* SHA-256 of bytes in memory. */
p304_code p304_sha256_buffer(const void *data, size_t len, char hex[65],
			     p304_error *err);

/* ------------------------------------------------------------------ */
/* Language of the messages                                            */
/* ------------------------------------------------------------------ */

/*
 * Chooses the language of p304's messages before the first one is made:
 * French by default whatever the machine's locale, English when $LANGUAGE
 * names it first ("en", "en_US", "en:fr"). Binds the "p304" text domain
 * (UTF-8) to its catalogue, found beside the installed program
 * (<prefix>/share/locale) or the built one (build/locale). Sets LC_MESSAGES
 * (never LC_NUMERIC, LC_CTYPE or LC_ALL) and $LANGUAGE to "fr" or "en".
 * Call once, before any thread starts. Returns 0, or -1 when French is
 * wanted and no catalogue was found (the messages then stay in English).
 */
int p304_i18n_init(void);
/* "fr" or "en": the language p304_i18n_init() chose ("en" before it). */
const char *p304_i18n_language(void);

#endif /* P304_FORMAT_H */
