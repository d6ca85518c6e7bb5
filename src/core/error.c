/*
 * error.c - the error detail shared by the whole library, and the names of
 * the status codes. The library fills a p304_error; only the CLI prints it.
 */
#include <p304/p304.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "banned.h"
#include "gettext.h"

void p304_error_clear(p304_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}

p304_code p304_error_set(p304_error *err, p304_code code, const char *file,
			 long line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	err->column = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

const char *p304_strerror(p304_code code)
{
	switch (code) {
	case P304_OK: return _("no error");
	case P304_ERR_USAGE: return _("usage error");
	case P304_ERR_INPUT: return _("input error");
	case P304_ERR_INFEASIBLE: return _("infeasible bounds");
	case P304_ERR_IO: return _("input/output error");
	case P304_ERR_NOMEM: return _("out of memory");
	case P304_ERR_OVERFLOW: return _("amount too large");
	case P304_ERR_INTERNAL: return _("internal error");
	case P304_ERR_DEPENDENCY: return _("missing program");
	}
	return _("unknown error");
}

const char *p304_status_name(p304_status st)
{
	switch (st) {
	case P304_FLOOR: return "floor";
	case P304_CEILING: return "ceiling";
	case P304_FREE: break;
	}
	return "free";
}
