/*
 * money.c - checked int64 arithmetic for euros. A sum that would overflow is
 * refused, never wrapped (git's st_add idea).
 */
#include <p304/p304.h>
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
