/*
 * ledger.h - the campaign's memory (issue 22): one SQLite file per campaign
 * holding, for each collectivité × year × stage, the amounts of the cycle
 * (pre-notified, expressed need, notified, delegated, consumed, avenant) with
 * where each came from. Append-only: a correction is a new entry that
 * supersedes the current one, the history keeps both.
 *
 * From it follow the caps of the 2024 rule (instruction 2024/72: a request
 * may not exceed the amount delegated the year before, or the year before
 * that for an authority not funded then) and the amounts of the yearly
 * avenant (instruction 2025/60: next year's amount from this year's
 * delegation and consumption). Layer: beside src/workflow, uses src/format
 * and src/core only. Nothing here prints or exits.
 */
#ifndef P304_LEDGER_H
#define P304_LEDGER_H

#include <stdio.h>

#include <p304/io.h>

/* The schema this p304 writes (PRAGMA user_version); older files are
 * migrated when opened, newer ones refused. */
#define P304_LEDGER_SCHEMA 2
/* PRAGMA application_id of a p304 ledger ("P304"): any other SQLite file
 * is foreign and refused. */
#define P304_LEDGER_APP_ID 0x50333034

typedef enum p304_stage {
	P304_STAGE_PRENOTIFIED = 0,
	P304_STAGE_NEED,
	P304_STAGE_NOTIFIED,
	P304_STAGE_DELEGATED,
	P304_STAGE_CONSUMED,
	P304_STAGE_AVENANT,
	P304_NSTAGES
} p304_stage;

/* "prenotified", "need", "notified", "delegated", "consumed", "avenant":
 * the names stored and accepted on the command line. */
const char *p304_stage_name(p304_stage s);
/* "pré-notifié", "besoin exprimé", "notifié", "délégué", "consommé",
 * "avenant": the words of the files officers read. */
const char *p304_stage_label_fr(p304_stage s);
/* The stage of an English name or a French word (accents optional:
 * "delegue", "délégué"); -1 when none. */
int p304_stage_parse(const char *s);

typedef struct p304_ledger p304_ledger;

/*
 * Opens the ledger at `path`; `create` = 1 creates it when absent, at the
 * first write that is not refused (until then the handle reads an empty
 * ledger; a refused import or record leaves no file); 0: an absent file is
 * P304_ERR_IO. A file that is not a p304 ledger (another
 * SQLite database, any other file), a damaged one (PRAGMA quick_check) or
 * one written by a newer p304 is refused with P304_ERR_INPUT and left
 * exactly as it was. An older schema is migrated in one transaction. WAL,
 * foreign keys on, busy timeout of 10 s. Close with p304_ledger_close.
 * One thread at a time per open ledger (threads open their own, or take
 * turns: the server keeps a pool).
 */
p304_code p304_ledger_open(const char *path, int create, p304_ledger **out,
			   p304_error *err);
void p304_ledger_close(p304_ledger *lg);
const char *p304_ledger_path(const p304_ledger *lg);
/* The SQL that takes an empty file to schema `version` from version − 1
 * (1 .. P304_LEDGER_SCHEMA), NULL otherwise: the migration tests build old
 * files with it. */
const char *p304_ledger_migration_sql(int version);

/* Where a batch of entries came from. */
typedef struct p304_ledger_source {
	const char *kind;     /* "record", "import", "avenant", "reconcile" */
	const char *file;     /* the file or folder as named */
	const char *sha256;   /* of that file (a set: of its result file) */
	const char *scenario; /* scenario or result id, or NULL */
	const char *set_key;  /* identity: a second batch with the same key is
			       * recognised and not written; NULL = none */
	const char *comment;  /* or NULL */
} p304_ledger_source;

typedef struct p304_ledger_item {
	char code[16];        /* canonical code of the reference list */
	int year;
	p304_stage stage;
	int64_t amount_eur;   /* 0 .. P304_MAX_EUR */
	long line;            /* line of the file (a set: rank in its rows) */
} p304_ledger_item;

typedef struct p304_ledger_outcome {
	long batch;           /* the batch written (0 when none) */
	size_t added;         /* entries written (first of their key) */
	size_t superseded;    /* entries written that correct a current one */
	size_t unchanged;     /* items equal to the current entry: not written */
	int already;          /* 1: set_key already recorded, nothing written */
	int again;            /* 1: set_key recorded before (already_at, _who),
			       * its amounts corrected since: written again, as
			       * corrections of the amounts since */
	char already_at[32], already_who[64];
	/* an imported table's final TOTAL row, equal to the sum and skipped:
	 * the warning saying so ("" when none) */
	char total_note[400];
} p304_ledger_outcome;

/* Appends the items as one batch, in one transaction: all or nothing (a
 * process killed in the middle leaves the ledger as it was). */
p304_code p304_ledger_append(p304_ledger *lg, const p304_ledger_source *src,
			     const p304_ledger_item *items, size_t n,
			     p304_ledger_outcome *out, p304_error *err);

/* The current amount of code × year × stage: 1 and *amount when there is
 * one, 0 when none, -1 on error (err filled). */
int p304_ledger_current(p304_ledger *lg, const char *code, int year, p304_stage stage,
			int64_t *amount, p304_error *err);

/* 1 when an entry of stage a or b in [year0, year1] comes from a batch
 * whose comment or file name says ILLUSTRATIF, 0 when none, -1 on error. */
int p304_ledger_illustrative(p304_ledger *lg, p304_stage a, p304_stage b, int year0, int year1,
			     p304_error *err);

/* One entry of the history, with its batch. */
typedef struct p304_ledger_entry {
	long id, supersedes;  /* supersedes: the entry it corrects, 0 = none */
	const char *code;
	int year;
	p304_stage stage;
	int64_t amount_eur;
	long line;
	const char *kind, *file, *sha256, *version, *scenario, *at, *who, *comment;
} p304_ledger_entry;

/* Calls fn for every entry (code NULL: all; year 0: all), by code, year,
 * stage, then in the order written. fn returns non-zero to stop. */
p304_code p304_ledger_history(p304_ledger *lg, const char *code, int year,
			      int (*fn)(void *ctx, const p304_ledger_entry *e),
			      void *ctx, p304_error *err);

/* Online backup (sqlite3_backup) into `dest`, which must not exist: written
 * beside it, then linked in place (never a file overwritten). */
p304_code p304_ledger_backup(p304_ledger *lg, const char *dest, p304_error *err);

/* ------------------------------------------------------------------ */
/* The two rules                                                        */
/* ------------------------------------------------------------------ */

/*
 * The 2024 rule for year N: the cap is the amount delegated in N − 1, or
 * failing that (no delegation, or 0: not funded that year) in N − 2, else
 * none. del1, del2: P304_NO_BOUND when not delegated. *cap = P304_NO_BOUND
 * and *from = 0 when no cap; else *from is the year it came from.
 */
void p304_cap_rule(int year, int64_t del1, int64_t del2, int64_t *cap, int *from);

typedef struct p304_ledger_cap {
	char code[16];
	int64_t cap_eur;      /* P304_NO_BOUND = none */
	int from_year;        /* 0 = none */
} p304_ledger_cap;

/* The cap of year N of every authority delegated in N − 1 or N − 2, in
 * code order (*out malloc'd, caller frees). */
p304_code p304_ledger_caps(p304_ledger *lg, int year, p304_ledger_cap **out, size_t *n,
			   p304_error *err);

/* The avenant for year N + 1 of every authority delegated in N: the
 * delegation is the current amount, the consumption of N (none: no report)
 * what was used; rule and rate as p304_avenant. The result is shaped as
 * `p304 avenant`'s (id "<ledger>-<N+1>-avenant", input "ledger"); free with
 * p304_avenant_result_free. `ref` gives the names (a new hold is taken). */
p304_code p304_ledger_avenant(p304_ledger *lg, p304_reference *ref, int year,
			      p304_avenant_rule rule, int rate_bp,
			      p304_avenant_result **out, p304_error *err);

/* ------------------------------------------------------------------ */
/* Recording and importing                                              */
/* ------------------------------------------------------------------ */

/*
 * Records one of p304's own result sets, named by its folder: a
 * repartition.json (pre-notified amounts of `year`), a notification.json
 * (needs and notified of `year`) or an avenant.json (next year's amounts:
 * year + 1). The manifest's input SHA-256 are checked first (a changed or
 * missing input refuses the set). The set's identity is the SHA-256 of its
 * result file: recorded twice, it is recognised (out->already); recorded
 * again after its amounts were corrected, they are written again as
 * corrections (out->again).
 */
p304_code p304_ledger_record_set(p304_ledger *lg, const char *dir, int year,
				 const char *comment, p304_ledger_outcome *out,
				 p304_error *err);

/* The same from a result in memory (the server computes it): main_name
 * "repartition.json", "notification.json" or "avenant.json" says which,
 * `text` is its JSON as p304 writes it, `label` names it in the ledger and
 * in messages. Recognised as the same set as that file recorded from its
 * folder (the key is the SHA-256 of the text). */
p304_code p304_ledger_record_text(p304_ledger *lg, const char *main_name, const char *text,
				  size_t len, int year, const char *label, const char *comment,
				  p304_ledger_outcome *out, p304_error *err);

/*
 * Imports a table of delegated or consumed amounts for `year` (French-Excel
 * CSV, read as the needs file is: code column and an amount column such as
 * « Montant délégué (€) », « delegue_2024 », « Consommé »). Every refusal
 * names file, line and column and nothing is written. The same file
 * imported twice for the same stage and year is recognised.
 */
p304_code p304_ledger_import_csv(p304_ledger *lg, const p304_reference *ref,
				 const char *path, p304_stage stage, int year,
				 const char *comment, p304_ledger_outcome *out,
				 p304_error *err);
/* The same from bytes in memory (the fuzz harness, the server); `path`
 * names them in messages. */
p304_code p304_ledger_import_buffer(p304_ledger *lg, const p304_reference *ref,
				    const char *path, const char *data, size_t len,
				    p304_stage stage, int year, const char *comment,
				    p304_ledger_outcome *out, p304_error *err);

/* ------------------------------------------------------------------ */
/* Départements × years                                                  */
/* ------------------------------------------------------------------ */

#define P304_LEDGER_NONE INT64_MIN

typedef struct p304_ledger_view {
	p304_stage stage, minus;  /* minus == stage: the stage itself; else
				   * the écart stage − minus */
	int year0, nyears;
	size_t nrows;
	char (*codes)[16];        /* in code order */
	int64_t *v;               /* nrows × nyears; P304_LEDGER_NONE = nothing
				   * (an écart needs both amounts; it may be
				   * negative) */
} p304_ledger_view;

/* The current amounts of `stage` (or stage − minus) for every authority
 * that has one in [year0, year1]. Free with p304_ledger_view_free. */
p304_code p304_ledger_view_make(p304_ledger *lg, p304_stage stage, p304_stage minus,
				int year0, int year1, p304_ledger_view **out,
				p304_error *err);
void p304_ledger_view_free(p304_ledger_view *v);
/* CSV for Excel: code;collectivité;one column per year. `ref` names. */
p304_code p304_write_ledger_view_csv(const p304_ledger_view *v, const p304_reference *ref,
				     FILE *fp, p304_error *err);
/* The same as a workbook (one sheet). */
p304_code p304_write_ledger_view_xlsx(const p304_ledger_view *v, const p304_reference *ref,
				      FILE *fp, p304_error *err);
/* The whole history as a workbook, for archiving: sheet « Historique ». */
p304_code p304_write_ledger_history_xlsx(p304_ledger *lg, const p304_reference *ref,
					 FILE *fp, p304_error *err);

/* ------------------------------------------------------------------ */
/* The history, in memory, for the documents                            */
/* ------------------------------------------------------------------ */

/* One current amount of a collectivité × year × stage. */
typedef struct p304_ledger_cell {
	int64_t amount_eur;   /* P304_LEDGER_NONE = no entry */
	int file;             /* index in the digest's files, -1 = none */
	int illustrative;     /* its batch's comment or file name says
			       * ILLUSTRATIF (any case) */
} p304_ledger_cell;

/*
 * The current amounts of every stage of years [year0, year0 + nyears − 1],
 * by collectivité, with the file each came from (issue 22: the note and the
 * département sheets cite the history). A plain value: src/chart writes it
 * and never opens the ledger (docs/ARCHITECTURE.md, layers). Free with
 * p304_ledger_digest_free.
 */
typedef struct p304_ledger_digest {
	char ledger[256];     /* the ledger's file name, without its folder */
	char at[32];          /* time of the latest entry shown, UTC
			       * "2026-12-06T17:09:42Z"; "" when none */
	int year0, nyears;
	size_t nrows;
	char (*codes)[16];    /* in code order */
	p304_ledger_cell *cell; /* nrows × nyears × P304_NSTAGES */
	char **files;         /* origin files, without their folder */
	size_t nfiles;
	int illustrative;     /* at least one cell is */
} p304_ledger_digest;

/* Reads the digest of [year0, year1] (year0 = year1 = 0: every year the
 * ledger has; none: nyears = 0). */
p304_code p304_ledger_digest_make(p304_ledger *lg, int year0, int year1,
				  p304_ledger_digest **out, p304_error *err);
void p304_ledger_digest_free(p304_ledger_digest *d);
/* The row of `code`, or -1. */
long p304_ledger_digest_row(const p304_ledger_digest *d, const char *code);
/* The cell of row × year × stage; NULL when the year is outside. */
const p304_ledger_cell *p304_ledger_digest_cell(const p304_ledger_digest *d, size_t row,
						int year, p304_stage stage);

/* A year's national totals (pure: from the digest only). */
typedef struct p304_ledger_year_totals {
	int64_t total[P304_NSTAGES];  /* sum of the amounts present */
	size_t count[P304_NSTAGES];   /* collectivités with an amount */
	/* the consumption rate's terms: collectivités with both a delegated
	 * and a consumed amount (a report came) */
	int64_t delegated_reported, consumed_reported;
	size_t n_reported;
	size_t n_under;               /* of those, consumed < delegated */
	size_t n_no_report;           /* delegated (> 0), no consumed amount */
	size_t n_funded;              /* delegated more than 0 € */
	int illustrative;             /* one of the year's cells is */
} p304_ledger_year_totals;

void p304_ledger_year_totals_of(const p304_ledger_digest *d, int year,
				p304_ledger_year_totals *t);
/* 1 when the year has a delegated or consumed amount: the execution the
 * documents speak of. */
int p304_ledger_year_executed(const p304_ledger_digest *d, int year);
/* The campaign year a scenario speaks of: the first year 1990 .. 2099
 * standing alone (no digit before or after) in its id, else in its title
 * ("2020-vague1" -> 2020, "P304 2025 – national" -> 2025); 0 when none. */
int p304_campaign_year(const char *id, const char *title);

#endif /* P304_LEDGER_H */
