/*
 * testutil.h - shared by the cmocka unit tests: a seeded random generator
 * (splitmix64, so every property test is reproducible) and a temp-file helper.
 */
#ifndef P304_TESTUTIL_H
#define P304_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static inline int64_t rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(s) % (uint64_t)(hi - lo + 1));
}

/* Writes `len` bytes to a fresh temporary file and returns its path
 * (static buffer per call slot; caller unlinks). */
static inline const char *write_temp(const char *suffix, const void *data, size_t len)
{
	static char paths[8][64];
	static int slot;
	char *p = paths[slot++ % 8];
	int fd;

	snprintf(p, 64, "/tmp/p304-test-XXXXXX%s", suffix);
	fd = mkstemps(p, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return p;
}

#define write_temp_str(suffix, s) write_temp((suffix), (s), strlen(s))

#endif
