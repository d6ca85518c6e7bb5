/*
 * xlsx_file.c - a workbook written through a temporary file (xlsx_file.h).
 */
#include "format/xlsx_file.h"

#include <stdlib.h>
#include <unistd.h>

#include "gettext.h"

lxw_workbook *p304_xlsx_begin(char *tmp, size_t size, p304_error *err)
{
	lxw_doc_properties props = { 0 };
	lxw_workbook *wb;
	int fd;

	snprintf(tmp, size, "/tmp/p304-xlsx-XXXXXX");
	if ((fd = mkstemp(tmp)) < 0) {
		p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot create a temporary file"));
		return NULL;
	}
	close(fd);
	if (!(wb = workbook_new(tmp))) {
		unlink(tmp);
		p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("cannot create the workbook"));
		return NULL;
	}
	props.title = "p304";
	props.created = 946684800; /* 2000-01-01 */
	workbook_set_properties(wb, &props);
	return wb;
}

p304_code p304_xlsx_end(lxw_workbook *wb, const char *tmp, FILE *fp, p304_error *err)
{
	lxw_error e = workbook_close(wb);
	char buf[65536];
	size_t n;
	int bad = 0;
	FILE *in;

	if (e != LXW_NO_ERROR) {
		unlink(tmp);
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("workbook: %s"), lxw_strerror(e));
	}
	if (!(in = fopen(tmp, "rb"))) {
		unlink(tmp);
		return p304_error_set(err, P304_ERR_IO, tmp, 0, _("cannot read the workbook back"));
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		bad |= fwrite(buf, 1, n, fp) != n;
	fclose(in);
	unlink(tmp);
	return bad ? p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed")) : P304_OK;
}
