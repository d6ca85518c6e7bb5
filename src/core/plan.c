/*
 * plan.c - the objectives of the contracts and the envelope that may fund
 * each (no fungibility between envelopes):
 *  - 2020-2022 (circular of 20 February 2020, annex 4): P304 funds
 *    objectives 6-8, 10-12 and 14-26; FIR 1-5 and 13; ONDAM médico-social 9
 *    and 24. The 11 fundamental objectives (1-11) are in every contract.
 *  - 2025-2027 (instruction 2025/60): FIR 1-5, P304 6-11, ONDAM 12-14;
 *    1-4, 6, 7 mandatory, and at least one of 12-14.
 */
#include <p304/p304.h>

#include <stdio.h>
#include <string.h>
#include "banned.h"
#include "gettext.h"

const char *p304_envelope_name(p304_envelope e)
{
	switch (e) {
	case P304_ENV_P304: return "P304";
	case P304_ENV_FIR: return "FIR";
	case P304_ENV_ONDAM: return "ONDAM";
	case P304_ENV_COUNT: break;
	}
	return "?";
}

int p304_objective_max(p304_framework fw)
{
	return fw == P304_FRAMEWORK_2020 ? 26 : fw == P304_FRAMEWORK_2025 ? 14 : 0;
}

int p304_objective_fundable(p304_framework fw, p304_envelope env, int o)
{
	if (o < 1 || o > p304_objective_max(fw))
		return 0;
	if (fw == P304_FRAMEWORK_2020) {
		switch (env) {
		case P304_ENV_P304:
			return (o >= 6 && o <= 8) || (o >= 10 && o <= 12) || o >= 14;
		case P304_ENV_FIR:
			return o <= 5 || o == 13;
		case P304_ENV_ONDAM:
			return o == 9 || o == 24;
		case P304_ENV_COUNT:
			break;
		}
		return 0;
	}
	switch (env) {
	case P304_ENV_FIR: return o <= 5;
	case P304_ENV_P304: return o >= 6 && o <= 11;
	case P304_ENV_ONDAM: return o >= 12;
	case P304_ENV_COUNT: break;
	}
	return 0;
}

const char *p304_objective_ranges(p304_framework fw, p304_envelope env)
{
	static const char *const r2020[] = { "6-8, 10-12, 14-26", "1-5, 13", "9, 24" };
	static const char *const r2025[] = { "6-11", "1-5", "12-14" };

	if (env >= P304_ENV_COUNT || fw == P304_FRAMEWORK_NONE)
		return "";
	return fw == P304_FRAMEWORK_2020 ? r2020[env] : r2025[env];
}

int p304_mandatory_missing(p304_framework fw, const unsigned char *present,
			   char *buf, size_t size)
{
	static const int m2020[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const int m2025[] = { 1, 2, 3, 4, 6, 7 };
	const int *list = fw == P304_FRAMEWORK_2020 ? m2020 : m2025;
	size_t nlist = fw == P304_FRAMEWORK_2020 ? 11 : 6, o = 0;
	int missing = 0;

	if (size)
		buf[0] = '\0';
	if (fw == P304_FRAMEWORK_NONE)
		return 0;
	for (size_t i = 0; i < nlist; i++) {
		if (present[list[i]])
			continue;
		missing++;
		if (o < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%d", o ? ", " : "", list[i]);
	}
	if (fw == P304_FRAMEWORK_2025 && !present[12] && !present[13] && !present[14]) {
		missing++;
		if (o < size)
			snprintf(buf + o, size - o, "%s%s", o ? ", " : "", _("one of 12-14"));
	}
	return missing;
}
