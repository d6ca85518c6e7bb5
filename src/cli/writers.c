/*
 * writers.c - every data file of p304's output sets with its writer, once
 * (issue 20: each command repeated its own adapters). A command takes its
 * files by name: cli_file("repartition.json", res).
 */
#include <string.h>

#include "cli.h"

/* The writers take their object's type; an output set's writer takes
 * `const void *`: one adapter per file, here only. */
#define ADAPT(fn, type, call) \
	static p304_code fn(const void *c, FILE *fp, p304_error *e) { return call((const type *)c, fp, e); }

ADAPT(result_json, p304_result, p304_write_result_json)
ADAPT(result_csv, p304_result, p304_write_result_csv)
ADAPT(result_xlsx, p304_result, p304_write_xlsx_allocation)
ADAPT(notification_json, p304_notification, p304_write_notification_json)
ADAPT(notification_csv, p304_notification, p304_write_notification_csv)
ADAPT(notification_xlsx, p304_notification, p304_write_xlsx_notification)
ADAPT(comparison_json, p304_comparison, p304_write_comparison_json)
ADAPT(comparison_csv, p304_comparison, p304_write_comparison_csv)
ADAPT(comparison_xlsx, p304_comparison, p304_write_xlsx_comparison)
ADAPT(sweep_json, p304_sweep_result, p304_write_sweep_json)
ADAPT(sweep_csv, p304_sweep_result, p304_write_sweep_csv)
ADAPT(avenant_json, p304_avenant_result, p304_write_avenant_json)
ADAPT(avenant_csv, p304_avenant_result, p304_write_avenant_csv)

static const struct cli_file writers[] = {
	{ "repartition.json", result_json, NULL },
	{ "repartition.csv", result_csv, NULL },
	{ "repartition.xlsx", result_xlsx, NULL },
	{ "notification.json", notification_json, NULL },
	{ "notification.csv", notification_csv, NULL },
	{ "notification.xlsx", notification_xlsx, NULL },
	{ "comparaison.json", comparison_json, NULL },
	{ "comparaison.csv", comparison_csv, NULL },
	{ "comparaison.xlsx", comparison_xlsx, NULL },
	{ "sweep.json", sweep_json, NULL },
	{ "sweep.csv", sweep_csv, NULL },
	{ "avenant.json", avenant_json, NULL },
	{ "avenant.csv", avenant_csv, NULL },
};

/* A name the table lacks is a bug of the command: its set then fails with
 * this message instead of crashing. */
static p304_code no_writer(const void *c, FILE *fp, p304_error *e)
{
	(void)c;
	(void)fp;
	return p304_error_set(e, P304_ERR_INTERNAL, NULL, 0, "no writer for this file");
}

struct cli_file cli_file(const char *name, const void *ctx)
{
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (!strcmp(writers[i].name, name))
			return (struct cli_file){ writers[i].name, writers[i].write, ctx };
	return (struct cli_file){ name, no_writer, ctx };
}
