/*
 * fuzz_result.c - libFuzzer harness for the reader of p304's own result
 * files (repartition.json, notification.json) as compare, avenant and the
 * page's "résultat enregistré" read them back (issue 19). An accepted file
 * has each code once, rows that add up to its stated total, UTF-8 text and
 * no character a workbook cannot hold; a refusal carries a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <p304/io.h>

#include "format/fileutil.h"
#include "workflow/result_read.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/p304-fuzz-result-XXXXXX";
static p304_reference *ref;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[160];
	p304_error err;
	FILE *fp;

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/reference.csv", dir);
	fp = fopen(path, "w");
	if (!fp || fputs("code;nom;region_code;region_nom;type;valide_de;valide_a;codes_equivalents;composee_de\n"
			 "01;Ain;84;ARA;departement;;;01D;\n02;Aisne;32;HdF;departement;;;02D;\n"
			 "03;Allier;84;ARA;departement;;;;\n49;Maine-et-Loire;52;PdL;departement;;;49D;\n"
			 "59;Nord;32;HdF;departement;;;;\n", fp) < 0 || fclose(fp) != 0)
		abort();
	if (p304_reference_load(path, &ref, &err) != P304_OK)
		abort();
	unlink(path);
	rmdir(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), where[128];
	struct p304_result_rows r;
	p304_error err;
	int64_t sum = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)p304_result_looks_like(text, size);
	p304_error_clear(&err);
	if (p304_result_rows_read("fuzz/r.json", text, size, ref, &r, &err) != P304_OK) {
		if (!err.message[0] || r.root || r.auth)
			abort(); /* a refusal says why and holds nothing */
		free(text);
		return 0;
	}
	for (size_t i = 0; i < r.n; i++) {
		sum += r.amount[i];
		if (r.amount[i] < 0 || r.amount[i] > P304_MAX_EUR)
			abort();
		for (size_t j = 0; j < i; j++)
			if (r.auth[i] == r.auth[j])
				abort(); /* 2 and 02 are one code */
	}
	if (sum != r.total || p304_utf8_check(text, size, NULL, NULL) != 0 ||
	    p304_json_xml_bad(r.root, where, sizeof(where)) >= 0)
		abort();
	p304_result_rows_free(&r);
	free(text);
	return 0;
}
