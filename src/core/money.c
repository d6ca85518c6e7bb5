/*
 * money.c - checked int64 arithmetic for euros. A sum that would overflow is
 * refused, never wrapped (git's st_add idea).
 */
#include <p304/p304.h>

#include <stdio.h>
#include <string.h>

#include "banned.h"

int p304_add_i64(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int p304_mul_i64(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

const char *p304_format_eur(char *buf, size_t size, int64_t v, const char *group,
			    const char *suffix)
{
	/* unsigned magnitude: -INT64_MIN would overflow */
	unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", m);
	size_t glen = strlen(group), o = 0;

	if (size == 0)
		return buf;
	if (v < 0 && o + 1 < size)
		buf[o++] = '-';
	for (int i = 0; i < len; i++) {
		size_t need = 1 + (i > 0 && (len - i) % 3 == 0 ? glen : 0);

		if (o + need >= size)
			break;
		if (need > 1) {
			memcpy(buf + o, group, glen);
			o += glen;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	snprintf(buf + o, size - o, "%s", suffix);
	return buf;
}
