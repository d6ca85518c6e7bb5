/*
 * fuzz_scenario.c - libFuzzer harness for the scenario reader (cJSON,
 * strict keys, amounts, policies). A refusal must carry a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include <p304/io.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	p304_scenario *sc = NULL;
	p304_error err;

	if (p304_scenario_parse("fuzz/scenario.json", (const char *)data, size,
				"/nonexistent/reference.csv", &sc, &err) != P304_OK) {
		if (!err.message[0])
			abort();
		return 0;
	}
	if (sc->envelope_eur < 1 || sc->ncriteria == 0 || sc->rounding_eur < 1)
		abort(); /* accepted scenarios are complete */
	p304_scenario_free(sc);
	return 0;
}
