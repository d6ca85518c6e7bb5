/*
 * banned.h - functions the allocation core must not use (git's banned.h):
 * unbounded string writes and number parsing without error reporting. The
 * core parses nothing and prints nothing; a use here is a compile error.
 */
#ifndef P304_BANNED_H
#define P304_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_the_core

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef strtod
#define strtod(x, y) BANNED(strtod)
#undef strtol
#define strtol(x, y, z) BANNED(strtol)

#endif
