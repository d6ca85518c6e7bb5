/*
 * fuzz_csv.c - libFuzzer harness for the CSV reader (sniffing, iconv,
 * libcsv callbacks, line counting). Every accepted table is walked cell by
 * cell so the sanitizers see every byte the reader kept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <p304/io.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	p304_csv *csv = NULL;
	p304_error err;
	char cols[256];
	size_t total = 0;

	if (p304_csv_parse("fuzz.csv", (const char *)data, size, &csv, &err) != P304_OK) {
		if (!err.message[0])
			abort(); /* every refusal must say why */
		return 0;
	}
	p304_csv_describe_columns(csv, cols, sizeof(cols));
	for (size_t r = 0; r < p304_csv_nrows(csv); r++) {
		if (p304_csv_line(csv, r) < 2)
			abort(); /* data rows come after the header line */
		for (size_t c = 0; c < p304_csv_ncols(csv) + 1; c++)
			total += strlen(p304_csv_cell(csv, r, c));
	}
	(void)total;
	p304_csv_free(csv);
	return 0;
}
