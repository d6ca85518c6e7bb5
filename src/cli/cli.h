/*
 * cli.h - private to the command-line tool: the command table entry, exit
 * codes and the shared printing helpers. Only the CLI prints and exits.
 */
#ifndef P304_CLI_H
#define P304_CLI_H

#include <stdio.h>

#include <p304/io.h>

#include "gettext.h"

/* Exit codes (docs/exit-codes.md). */
enum {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,   /* a bug or out of memory */
	EXIT_USAGE = 2,      /* bad command line */
	EXIT_INPUT = 3,      /* an input file is wrong */
	EXIT_INFEASIBLE = 4, /* the bounds cannot be met */
	EXIT_IO = 5,         /* a file cannot be read or written */
	EXIT_DIFFERS = 6,    /* verify: an input changed or a result differs */
	EXIT_DEPENDENCY = 7  /* a program p304 needs (gnuplot) is missing */
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_allocate(int argc, char **argv);
int cmd_avenant(int argc, char **argv);
int cmd_chart(int argc, char **argv);
int cmd_check_plan(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_fiches(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_note(int argc, char **argv);
int cmd_reconcile(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/*
 * The options of a subcommand, one table per command (git's parse-options,
 * in small): every command then spells -h/--help, -q/--quiet and
 * -o/--output alike and words its usage errors alike, and its --help is
 * built from the table (usage_with_options), one translated line per
 * option, so that adding an option leaves every other translation as it
 * is. The table ends with an entry whose `names` is NULL.
 */
struct cli_option {
	const char *names; /* the spellings, '|'-separated: "-o|--output"; a
			    * name without '-' ("CURRENT") is an operand, only
			    * described in --help */
	const char *arg;   /* NULL for a flag; else what the value is, for
			    * "-o needs a directory" */
	const char **value; /* an option's value (the last one given wins) */
	int *flag;          /* a flag: set to 1 */
	const char *argh;   /* N_() msgid: the value's name in --help ("DIR") */
	const char *help;   /* N_() msgid: its line in --help (a "\n" starts a
			     * new line, long lines are wrapped); NULL: not
			     * shown (kept for old scripts) */
};

#define CLI_OPT_END { NULL, NULL, NULL, NULL, NULL, NULL }

/* A command's --help around its option lines (N_() msgids): `synopsis`
 * (or NULL) the operands and the options that are not optional, one form a line
 * ("SCENARIO.json (--needs NEEDS.csv | --plan PLAN.csv)"); every shown
 * option it does not name is added as "[-o DIR]"; `intro` the paragraph
 * after the usage lines; `outro` what comes after the options (files
 * written, exit codes), or NULL. */
struct cli_usage {
	const char *cmd;
	const char *synopsis;
	const char *intro;
	const char *outro;
};

/* Prints the --help of a command built from `u` and `opts` to `fp`. */
void cli_print_usage(FILE *fp, const struct cli_usage *u, const struct cli_option *opts);

/* Parses argv[1..argc) against `opts` (-h and --help are always known).
 * Operands go to operands[0..max) in order and their count to *n; one more
 * is refused as "<extra> ('X' is extra)". Returns -1 when the command goes
 * on; otherwise the exit code to return: EXIT_OK once --help is printed,
 * EXIT_USAGE after a usage error on stderr. "--" ends the options. */
int cli_parse_options(const struct cli_usage *usage, int argc, char **argv,
		      const struct cli_option *opts, const char **operands,
		      size_t max, const char *extra, size_t *n);

/* One file of an output set and the function that writes it. */
struct cli_file {
	const char *name;
	p304_code (*write)(const void *ctx, FILE *fp, p304_error *err);
	const void *ctx;
};

/* The file `name` of an output set ("repartition.json", "notification.csv",
 * "sweep.json" ...) with its writer from the one table of src/cli/writers.c;
 * ctx: the object it prints (p304_result, p304_notification,
 * p304_comparison, p304_sweep_result, p304_avenant_result). */
struct cli_file cli_file(const char *name, const void *ctx);

/* Writes `files` into `dir` as one all-or-nothing set; a directory holding
 * one of the `in` files is refused. */
p304_code cli_write_files(const p304_input_file *in, size_t nin, const char *dir,
			  const struct cli_file *files, size_t nfiles, p304_error *err);
/* While cli_write_files writes a set: the names of its files, for the
 * manifest's "files" (NULL-terminated); NULL otherwise. */
const char *const *cli_set_files(void);
/* Writes `files` plus manifest.json (inputs of `res`) into `dir` as one
 * all-or-nothing set (p304_outset). */
p304_code cli_write_set(const p304_result *res, const char *dir,
			const char *const *argv, const struct cli_file *files,
			size_t nfiles, p304_error *err);
/* The subcommand's arguments as recorded in a manifest: -o and -q dropped,
 * "-o outdir" appended; NULL-terminated; free the array (not the strings). */
const char **cli_argv_with_output(int argc, char **argv, const char *outdir);
/* The regional table on the terminal. */
void cli_print_regions(FILE *fp, const p304_region_total *t, size_t n,
		       const char *const *labels, size_t namounts);

/* `s` as it may reach a terminal: control characters and ANSI escapes
 * written as \e, \t, \n, \xNN, \u009b (a title or a line of a hostile
 * file cannot clear the screen or recolour it). Returns one of 8 rotating
 * static buffers (texts longer than 2 KB are cut); "" for NULL. */
const char *cli_text(const char *s);
/* Prints "p304: file:line: message" (and the offending line) to stderr and
 * returns the exit code of err->code. */
int cli_fail(const p304_error *err);
/* Prints a usage error for `cmd` and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The reference list used when a scenario names none. */
const char *cli_default_reference(void);
/* The tile table of the map, beside the reference list. */
void cli_tiles_path(char *buf, size_t size);
/* 1835000 -> "1 835 000 €". */
const char *cli_eur(char *buf, size_t size, long long v);
/* 28.5 -> "28,5" (decimal comma, no locale involved). */
const char *cli_decimal(char *buf, size_t size, long double v, int decimals);
/* "0 demande plafonnée", "2 demandes plafonnées": French takes the
 * singular for 0 and 1. Writes into buf, returns buf. */
const char *cli_count(char *buf, size_t size, size_t n, const char *one, const char *many);
/* Warnings of a result, to stderr. */
void cli_print_warnings(const p304_result *res);
/* The terminal summary of an allocation. */
void cli_print_summary(FILE *fp, const p304_result *res);

/* The campaign ledger (cmd_ledger.c) for reconcile and avenant. Each
 * returns -1 when the command goes on, else its exit code (error printed). */
struct p304_ledger_cap;
/* --year N of `cmd` into *year. */
int cli_ledger_year(const char *cmd, const char *text, int *year);
/* Records the set written in `dir` (p304 ledger record). */
int cli_ledger_record(const char *ledger, int year, const char *dir, const char *comment,
		      int quiet);
/* The caps of `year` (2024 rule), malloc'd; and printed with their year. */
int cli_ledger_caps(const char *ledger, int year, struct p304_ledger_cap **caps, size_t *n);
void cli_print_caps(const struct p304_ledger_cap *caps, size_t n, int year);
/* reconcile with the ledger's caps of `year` (printed unless quiet):
 * *exit_code is -1 on success. */
p304_code cli_ledger_reconcile(const char *scenario, const char *needs, const char *ledger,
			       int year, int quiet, p304_notification **nt, int *exit_code);
/* The avenant of `year` + 1 from the ledger's delegated and consumed. */
int cli_ledger_avenant(const char *ledger, int year, p304_avenant_rule rule, int rate_bp,
		       p304_avenant_result **av);
/* The history of [year0, year1] (0, 0: every year) for the note and the
 * sheets, and the ledger as an input of the manifest (role "ledger", its
 * SHA-256 once closed). Free *d with p304_ledger_digest_free. */
struct p304_ledger_digest;
int cli_ledger_digest(const char *ledger, int year0, int year1, struct p304_ledger_digest **d,
		      p304_input_file *input);

#endif
