/*
 * fuzz_number.c - libFuzzer harness for the number, code and date parsers.
 * Checks the invariants, not only the absence of crashes: an accepted
 * number is non-negative and printing it back parses to the same value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p304/io.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[128], code[16], why[96], back[64];
	int decimals;
	int64_t v, w;

	if (size < 1 || size > 100)
		return 0;
	decimals = data[0] % 4;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (p304_parse_decimal(text, size - 1, decimals, -1, &v, why, sizeof(why)) == 0) {
		int64_t scale = 1;

		if (v < 0)
			abort();
		for (int i = 0; i < decimals; i++)
			scale *= 10;
		snprintf(back, sizeof(back), "%lld,%0*lld", (long long)(v / scale), decimals ? decimals : 1,
			 (long long)(decimals ? v % scale : 0));
		if (p304_parse_decimal(back, strlen(back), decimals, -1, &w, why, sizeof(why)) != 0 || w != v)
			abort();
	} else if (!why[0]) {
		abort();
	}
	if (p304_normalize_code(text, size - 1, code, sizeof(code)) == 0 &&
	    (!code[0] || strspn(code, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(code) ||
	     (strlen(code) == 1 && code[0] >= '0' && code[0] <= '9')))
		abort();
	if (memchr(text, '\0', size - 1) == NULL) {
		long d = p304_parse_date(text);

		if (d != -1 && (d < 19000101 || d > 29991231))
			abort();
	}
	return 0;
}
