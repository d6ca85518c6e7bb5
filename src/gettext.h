/*
 * gettext.h - the one place that knows about libintl (GNU gettext, in glibc).
 * Every message an officer reads is marked _("...") in English in the code and
 * translated in po/fr.po; French is the default language (see cli/main.c).
 * The library uses its own text domain, so a program linking libp304 keeps its
 * own catalogue.  What programs read (JSON keys, CSV headers of machine files,
 * reason codes) is never marked.
 */
#ifndef P304_GETTEXT_H
#define P304_GETTEXT_H

#include <libintl.h>

#define P304_TEXTDOMAIN "p304"

/* A message translated now. */
#define _(msgid) dgettext(P304_TEXTDOMAIN, msgid)
/* A message marked for xgettext, translated later with _() (tables). */
#define N_(msgid) msgid
/* Singular/plural: French uses the singular for 0 and 1. */
#define Q_(singular, plural, n) dngettext(P304_TEXTDOMAIN, singular, plural, (unsigned long)(n))

#endif
