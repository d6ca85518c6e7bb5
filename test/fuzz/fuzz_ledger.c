/*
 * fuzz_ledger.c - libFuzzer harness for the ledger's two importers (issue
 * 22): the fuzzed bytes as a table of delegated amounts (CSV, the needs
 * file's reader) and as the notification.json of a result set (with a
 * manifest that lists it and has no inputs). An in-memory ledger. Checks
 * that an accepted import is in the ledger exactly, that a refused one
 * wrote nothing, and that every refusal names a file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <p304/ledger.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/p304-fuzz-ledger-XXXXXX";
static char setdir[160], result[200];
static p304_reference *ref;
static p304_ledger *lg;

static void put(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[200];
	const char *r = "code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;"
			"composee_de\n01;Ain;84;ARA;departement;;;01D;\n02;Aisne;32;HdF;departement;;;;\n"
			"59;Nord;32;HdF;departement;;;;\n";
	const char *m = "{\"tool\": \"p304\", \"files\": [\"notification.json\", \"manifest.json\"],"
			" \"inputs\": []}";
	p304_error err;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/reference.csv", dir);
	put(path, r, strlen(r));
	if (p304_reference_load(path, &ref, &err) != P304_OK)
		abort();
	snprintf(setdir, sizeof(setdir), "%s/set", dir);
	if (mkdir(setdir, 0700) != 0)
		abort();
	snprintf(path, sizeof(path), "%s/manifest.json", setdir);
	put(path, m, strlen(m));
	snprintf(result, sizeof(result), "%s/notification.json", setdir);
	if (p304_ledger_open(":memory:", 1, &lg, &err) != P304_OK)
		abort();
	return 0;
}

static size_t entries;

static int count(void *ctx, const p304_ledger_entry *e)
{
	(void)ctx;
	(void)e;
	entries++;
	return 0;
}

static size_t total(void)
{
	p304_error err;

	entries = 0;
	if (p304_ledger_history(lg, NULL, 0, count, NULL, &err) != P304_OK)
		abort();
	return entries;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	p304_ledger_outcome o;
	p304_error err;
	size_t before = total();
	p304_code rc;

	rc = p304_ledger_import_buffer(lg, ref, "delegue.csv", (const char *)data, size,
				       P304_STAGE_DELEGATED, 2024, NULL, &o, &err);
	if (rc != P304_OK && (total() != before || !err.file[0]))
		abort();
	if (rc == P304_OK && total() != before + o.added + o.superseded)
		abort();
	before = total();
	put(result, (const char *)data, size);
	rc = p304_ledger_record_set(lg, setdir, 2024, NULL, &o, &err);
	if (rc != P304_OK && (total() != before || !err.file[0]))
		abort();
	if (rc == P304_OK && total() != before + o.added + o.superseded)
		abort();
	return 0;
}
