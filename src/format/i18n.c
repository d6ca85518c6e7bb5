/*
 * i18n.c - the language of p304's messages (GNU gettext): French by default
 * whatever the machine's locale, English with LANGUAGE=en. Only the messages
 * change: LC_NUMERIC, LC_CTYPE and LC_ALL are never touched, so numbers and
 * the CSV/JSON/xlsx files do not depend on the language or the locale.
 */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p304/format.h>

#include "gettext.h"

#ifndef P304_LOCALEDIR
#define P304_LOCALEDIR "build/locale"
#endif

static const char *language = "en";
static char localedir[PATH_MAX + 32];

/* "fr" or "en" from $LANGUAGE ("en", "en_US", "fr_FR:en"...): the first
 * entry naming one of the two wins; French when none does. */
static const char *wanted_language(void)
{
	const char *s = getenv("LANGUAGE");

	while (s && *s) {
		size_t len = strcspn(s, ":");

		if (len >= 2 && (s[2] == '_' || s[2] == '.' || s[2] == '@' ||
				 len == 2)) {
			if (strncmp(s, "en", 2) == 0)
				return "en";
			if (strncmp(s, "fr", 2) == 0)
				return "fr";
		}
		s += len;
		if (*s == ':')
			s++;
	}
	return "fr";
}

static int has_catalogue(const char *dir)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/fr/LC_MESSAGES/" P304_TEXTDOMAIN ".mo", dir);
	return access(path, R_OK) == 0;
}

/* The one rule (README, "Messages"): beside the installed program
 * (<prefix>/bin/p304 -> <prefix>/share/locale), else beside the built
 * program (build/p304 -> build/locale), else the build tree it was
 * compiled in. */
static const char *find_localedir(void)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len > 0) {
		char *slash;

		exe[len] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(localedir, sizeof(localedir), "%s/../share/locale", exe);
			if (has_catalogue(localedir))
				return localedir;
			snprintf(localedir, sizeof(localedir), "%s/locale", exe);
			if (has_catalogue(localedir))
				return localedir;
		}
	}
	snprintf(localedir, sizeof(localedir), "%s", P304_LOCALEDIR);
	return has_catalogue(localedir) ? localedir : NULL;
}

int p304_i18n_init(void)
{
	const char *dir, *loc;

	language = wanted_language();
	/*
	 * glibc's gettext ignores LANGUAGE while LC_MESSAGES is "C" or
	 * "POSIX" (LC_ALL=C, env -i), and a French locale is often not
	 * installed: LC_MESSAGES becomes the user's (if it is not C) or
	 * C.UTF-8 (built into glibc since 2.35), and LANGUAGE says French.
	 */
	loc = setlocale(LC_MESSAGES, "");
	if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0)
		if (!setlocale(LC_MESSAGES, "C.UTF-8"))
			setlocale(LC_MESSAGES, "C.utf8");
	setenv("LANGUAGE", language, 1);
	dir = find_localedir();
	bindtextdomain(P304_TEXTDOMAIN, dir ? dir : P304_LOCALEDIR);
	bind_textdomain_codeset(P304_TEXTDOMAIN, "UTF-8");
	/* strerror() in our messages: UTF-8 too, whatever LC_CTYPE is. */
	bind_textdomain_codeset("libc", "UTF-8");
	if (strcmp(language, "fr") == 0 && !dir)
		return -1;
	return 0;
}

const char *p304_i18n_language(void)
{
	return language;
}
