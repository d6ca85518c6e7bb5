/*
 * fuzz_needs.c - libFuzzer harness for the needs reader through the whole
 * reconciliation: a fixed five-authority scenario (written to a temporary
 * folder at start-up) and the fuzzed bytes as NEEDS.csv. Checks that an
 * accepted notification adds up exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p304/io.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/p304-fuzz-needs-XXXXXX";
static char scenario[128], needs[128], reference[128];

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[160];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(reference, sizeof(reference), "%s/reference.csv", dir);
	put(reference,
	    "code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;composee_de\n"
	    "01;Ain;84;ARA;departement;;;01D;\n02;Aisne;32;HdF;departement;;;02D;\n"
	    "03;Allier;84;ARA;departement;;;;\n49;Maine-et-Loire;52;PdL;departement;;;49D;\n"
	    "59;Nord;32;HdF;departement;;;;\n");
	snprintf(path, sizeof(path), "%s/data.csv", dir);
	put(path, "code;a;b\n01;10;1\n02;40;2\n03;20;3\n49;130;4\n59;5;5\n");
	snprintf(scenario, sizeof(scenario), "%s/scenario.json", dir);
	put(scenario,
	    "{\"id\": \"f\", \"envelope_eur\": 1000000, \"data\": \"data.csv\", "
	    "\"reference\": \"reference.csv\", \"criteria\": [{\"column\": \"a\", \"weight_pct\": 60}, "
	    "{\"column\": \"b\", \"weight_pct\": 40}], \"floor_eur\": 50000, \"ceiling_eur\": 500000, "
	    "\"reconciliation\": {\"available_eur\": 900000, \"surplus\": \"criteria\", "
	    "\"deadline\": \"2025-06-30\"}}");
	snprintf(needs, sizeof(needs), "%s/needs.csv", dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	p304_notification *nt = NULL;
	p304_error err;
	FILE *fp = fopen(needs, "wb");
	int64_t total = 0;

	if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	if (p304_run_reconcile(scenario, reference, needs, NULL, &nt, &err) != P304_OK) {
		if (!err.message[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < nt->alloc->nrows; i++) {
		if (nt->rows[i].notified_eur < 0 || nt->rows[i].notified_eur > nt->rows[i].capped_need_eur)
			abort();
		total += nt->rows[i].notified_eur;
	}
	if (total + nt->summary.unallocated_eur != nt->available_eur)
		abort();
	p304_notification_free(nt);
	return 0;
}
