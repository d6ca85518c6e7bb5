/*
 * csv_read.c - reads a CSV table the way Excel writes it: libcsv does the
 * quoting, iconv the Windows-1252 conversion; this file sniffs the separator,
 * counts lines (libcsv does not), drops blank rows and keeps every cell as
 * UTF-8 text in one arena, so a million rows cost a few allocations.
 */
#include <p304/format.h>

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "format/fileutil.h"
#include "gettext.h"

#define MAX_FIELD 4096
/* Columns of a table: what a spreadsheet holds (Excel: 16 384, XFD). */
#define MAX_COLUMNS P304_MAX_COLUMNS

struct p304_csv {
	char *path;
	char *arena;          /* all cell texts, NUL-terminated */
	size_t arena_len, arena_cap;
	size_t *cells;        /* offsets into arena; row r starts at rowstart[r] */
	size_t ncells, cells_cap;
	size_t *rowstart;     /* first cell of each data row */
	size_t *rowlen;       /* number of cells of each data row */
	long *lines;
	size_t nrows, rows_cap;
	char **header;
	size_t *byname;       /* column indexes sorted by header name (then index) */
	size_t ncols;
	char delim;
	int cp1252;
	atomic_long extra;    /* owners beyond the first (p304_csv_ref) */
};

/* Parser state shared with libcsv's callbacks. */
struct parse {
	p304_csv *csv;
	p304_error *err;
	p304_code rc;
	long line;          /* line where the current record starts */
	long embedded;      /* newlines inside quoted fields of this record */
	int prev_term;      /* terminator of the previous record */
	size_t rec_first;   /* first cell of the current record */
	size_t rec_n;
	int rec_nonempty;   /* some field is not blank */
	int have_header;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct parse *ps = ctx;
	p304_csv *csv = ps->csv;
	const char *s = data ? data : "";

	if (ps->rc != P304_OK)
		return;
	if (ps->rec_n >= MAX_COLUMNS) {
		ps->rc = p304_error_set(ps->err, P304_ERR_INPUT, csv->path, ps->line,
			_("more than %d fields on this line, the most a spreadsheet holds "
			  "(16 384 columns)"), MAX_COLUMNS);
		return;
	}
	if (len > MAX_FIELD) {
		ps->rc = p304_error_set(ps->err, P304_ERR_INPUT, csv->path, ps->line,
			_("field %zu is %zu bytes long, more than %d"), ps->rec_n + 1,
			len, MAX_FIELD);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			ps->embedded++;
		if (s[i] != ' ' && s[i] != '\t')
			ps->rec_nonempty = 1;
	}
	if (grow((void **)&csv->arena, &csv->arena_cap, csv->arena_len + len + 1, 1) ||
	    grow((void **)&csv->cells, &csv->cells_cap, csv->ncells + 1, sizeof(size_t))) {
		ps->rc = p304_error_set(ps->err, P304_ERR_NOMEM, csv->path, ps->line,
					_("out of memory"));
		return;
	}
	memcpy(csv->arena + csv->arena_len, s, len);
	csv->arena[csv->arena_len + len] = '\0';
	csv->cells[csv->ncells++] = csv->arena_len;
	csv->arena_len += len + 1;
	ps->rec_n++;
}

static char *trimmed_dup(const char *s)
{
	size_t len = strlen(s);

	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	return strndup(s, len);
}

static void end_record(struct parse *ps)
{
	p304_csv *csv = ps->csv;
	long line = ps->line;

	ps->line += 1 + ps->embedded;
	ps->embedded = 0;
	if (!ps->rec_nonempty) {
		/* A blank row or a row of separators: dropped. */
		csv->ncells = ps->rec_first;
		goto next;
	}
	if (!ps->have_header) {
		csv->header = calloc(ps->rec_n, sizeof(char *));
		if (!csv->header)
			goto nomem;
		csv->ncols = ps->rec_n;
		for (size_t i = 0; i < ps->rec_n; i++) {
			csv->header[i] = trimmed_dup(csv->arena + csv->cells[ps->rec_first + i]);
			if (!csv->header[i])
				goto nomem;
		}
		csv->ncells = ps->rec_first;
		ps->have_header = 1;
		goto next;
	}
	if (ps->rec_n > csv->ncols) {
		/* Excel leaves trailing separators: extra cells must be empty. */
		for (size_t i = csv->ncols; i < ps->rec_n; i++) {
			const char *c = csv->arena + csv->cells[ps->rec_first + i];

			if (c[strspn(c, " \t")] != '\0') {
				ps->rc = p304_error_set(ps->err, P304_ERR_INPUT, csv->path, line,
					_("row has %zu fields but the header has %zu columns; "
					"field %zu holds '%.40s'"), ps->rec_n, csv->ncols, i + 1, c);
				return;
			}
		}
		csv->ncells = ps->rec_first + csv->ncols;
		ps->rec_n = csv->ncols;
	}
	if (csv->nrows == csv->rows_cap) {
		size_t ncap = csv->rows_cap ? csv->rows_cap * 2 : 256;
		size_t *a = realloc(csv->rowstart, ncap * sizeof(size_t));
		size_t *b;
		long *c;

		if (!a)
			goto nomem;
		csv->rowstart = a;
		b = realloc(csv->rowlen, ncap * sizeof(size_t));
		if (!b)
			goto nomem;
		csv->rowlen = b;
		c = realloc(csv->lines, ncap * sizeof(long));
		if (!c)
			goto nomem;
		csv->lines = c;
		csv->rows_cap = ncap;
	}
	csv->rowstart[csv->nrows] = ps->rec_first;
	csv->rowlen[csv->nrows] = ps->rec_n;
	csv->lines[csv->nrows] = line;
	csv->nrows++;
next:
	ps->rec_first = csv->ncells;
	ps->rec_n = 0;
	ps->rec_nonempty = 0;
	return;
nomem:
	ps->rc = p304_error_set(ps->err, P304_ERR_NOMEM, csv->path, line, _("out of memory"));
}

static void on_record(int term, void *ctx)
{
	struct parse *ps = ctx;

	if (ps->rc != P304_OK)
		return;
	/* With CSV_REPALL_NL the LF of a CRLF comes as an empty record of its
	 * own: it ends no line. */
	if (term == '\n' && ps->prev_term == '\r' && ps->rec_n == 0) {
		ps->prev_term = term;
		return;
	}
	ps->prev_term = term;
	end_record(ps);
}

/* Line number (1-based) of byte offset `pos` in buf. */
static long line_of(const char *buf, size_t pos)
{
	long line = 1;

	for (size_t i = 0; i < pos; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

/*
 * Makes `*buf` valid UTF-8: kept as is when it already is; converted from
 * Windows-1252 when it holds no UTF-8 multibyte sequence at all; refused when
 * it mixes both (converting would garble the UTF-8 part silently).
 */
static p304_code to_utf8(const char *path, char **buf, size_t *len, int *cp1252,
			 p304_error *err)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-8");
	char *in = *buf, *outbuf, *out, chunk[65536];
	size_t inleft = *len, outleft, cap, bad;
	int ok = 1;

	if (cd == (iconv_t)-1)
		return p304_error_set(err, P304_ERR_INTERNAL, path, 0, _("iconv: no UTF-8 support"));
	/* validation only: the output goes to a small buffer, reused */
	while (inleft > 0) {
		out = chunk;
		outleft = sizeof(chunk);
		if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1 && errno != E2BIG) {
			ok = 0;
			break;
		}
	}
	iconv_close(cd);
	if (ok)
		return P304_OK;
	bad = (size_t)(in - *buf);
	for (size_t i = 0; i < bad; i++) {
		if ((unsigned char)(*buf)[i] >= 0x80)
			return p304_error_set(err, P304_ERR_INPUT, path, line_of(*buf, bad),
				_("mixed encodings: line %ld is UTF-8 but this line holds byte 0x%02X, "
				"which is not; save the whole file as UTF-8"),
				line_of(*buf, i), (unsigned char)(*buf)[bad]);
	}
	cap = *len * 3 + 16;
	if (!(outbuf = malloc(cap)))
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	cd = iconv_open("UTF-8", "CP1252");
	if (cd == (iconv_t)-1) {
		free(outbuf);
		return p304_error_set(err, P304_ERR_INTERNAL, path, 0, _("iconv: no CP1252 support"));
	}
	in = *buf;
	inleft = *len;
	out = outbuf;
	outleft = cap;
	ok = iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1;
	iconv_close(cd);
	if (!ok) {
		size_t at = (size_t)(in - *buf);

		free(outbuf);
		return p304_error_set(err, P304_ERR_INPUT, path, line_of(*buf, at),
			_("byte 0x%02X is neither UTF-8 nor Windows-1252 text"),
			(unsigned char)(*buf)[at]);
	}
	free(*buf);
	*buf = outbuf;
	*len = cap - outleft;
	*cp1252 = 1;
	return P304_OK;
}

/* Excel's "Texte Unicode (*.txt)" is UTF-16 with a byte-order mark and tabs
 * (issue 19): converted to UTF-8 with iconv, the mark telling the byte
 * order. UTF-16 without the mark shows as every other byte NUL: refused
 * with what to do instead of "binary data". */
static int utf16_bom(const char *buf, size_t len)
{
	return len >= 2 && (((unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE) ||
			    ((unsigned char)buf[0] == 0xFE && (unsigned char)buf[1] == 0xFF));
}

static int looks_utf16(const char *buf, size_t len)
{
	size_t n = len < 64 ? len : 64, even = 0, odd = 0;

	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			*(i % 2 ? &odd : &even) += 1;
	return n >= 4 && (odd >= n / 2 - 1 || even >= n / 2 - 1);
}

static p304_code from_utf16(const char *path, char **buf, size_t *len, p304_error *err)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-16");
	size_t cap = *len / 2 * 3 + 16, inleft = *len, outleft = cap;
	char *outbuf, *in = *buf, *out;
	int ok;

	if (cd == (iconv_t)-1)
		return p304_error_set(err, P304_ERR_INTERNAL, path, 0, _("iconv: no UTF-16 support"));
	if (!(outbuf = malloc(cap + 1))) {
		iconv_close(cd);
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	}
	out = outbuf;
	ok = iconv(cd, &in, &inleft, &out, &outleft) != (size_t)-1;
	iconv_close(cd);
	if (!ok || memchr(outbuf, '\0', cap - outleft)) {
		free(outbuf);
		return p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("UTF-16 text (Excel's \"Unicode Text\") that cannot be read at byte %zu; "
			  "save the file as \"CSV UTF-8 (comma delimited)\""), (size_t)(in - *buf));
	}
	free(*buf);
	*buf = outbuf;
	*len = cap - outleft;
	outbuf[*len] = '\0';
	return P304_OK;
}

/* Excel writes "sep=;" as a first line when asked (and reads it back): it
 * names the separator. Returns the bytes to skip (0 if no such line) and
 * sets *delim; -1 for a separator p304 does not read. */
static long sep_line(const char *text, size_t len, char *delim)
{
	size_t i = 0, q = 0;

	if (len > 0 && text[0] == '"')
		q = 1;
	if (len < q + 5 || strncasecmp(text + q, "sep=", 4) != 0)
		return 0;
	i = q + 4;
	*delim = text[i++];
	if (q && i < len && text[i] == '"')
		i++;
	while (i < len && (text[i] == ';' || text[i] == ',' || text[i] == ' '))
		i++; /* the separators a spreadsheet adds to fill the row */
	if (i < len && text[i] == '\r')
		i++;
	if (i < len && text[i] != '\n')
		return 0; /* a header that happens to start so */
	if (*delim != ';' && *delim != ',' && *delim != '\t')
		return -1;
	return (long)(i < len ? i + 1 : i);
}

/* The separator is the most frequent of ';', tab and ',' outside quotes on
 * the first non-blank line; ';' wins ties (French Excel's choice). */
static char sniff_delimiter(const char *buf, size_t len)
{
	size_t semi = 0, tab = 0, comma = 0, i = 0;
	int quoted = 0;

	while (i < len && (buf[i] == '\n' || buf[i] == '\r'))
		i++;
	for (; i < len; i++) {
		char c = buf[i];

		if (c == '"')
			quoted = !quoted;
		else if (!quoted && (c == '\n' || c == '\r'))
			break;
		else if (!quoted && c == ';')
			semi++;
		else if (!quoted && c == '\t')
			tab++;
		else if (!quoted && c == ',')
			comma++;
	}
	if (tab > semi && tab >= comma)
		return '\t';
	if (comma > semi && comma > tab)
		return ',';
	return ';';
}

static int space_only(unsigned char c)
{
	return c == ' ';
}

static int space_or_tab(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int term_char(unsigned char c)
{
	return c == '\r' || c == '\n';
}

static p304_code parse_owned(const char *path, char *buf, size_t len, p304_csv **out,
			     p304_error *err);

/* qsort has no context argument in C17: the header being sorted. Reading
 * tables is single-threaded per parse (the server parses in one thread per
 * request), so this is set and used inside one qsort call only. */
static _Thread_local char **sort_header;

static int byname_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_header[i], sort_header[j]);

	return c ? c : (i > j) - (i < j);
}

p304_code p304_csv_load(const char *path, p304_csv **out, p304_error *err)
{
	char *buf;
	size_t len;
	p304_code rc;

	*out = NULL;
	if ((rc = p304_read_file(path, &buf, &len, err)) != P304_OK)
		return rc;
	return parse_owned(path, buf, len, out, err);
}

p304_code p304_csv_parse(const char *path, const char *data, size_t len,
			 p304_csv **out, p304_error *err)
{
	char *buf = malloc(len + 1);

	*out = NULL;
	if (!buf)
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	memcpy(buf, data, len);
	buf[len] = '\0';
	return parse_owned(path, buf, len, out, err);
}

/* Parses `buf` (malloc'd, len bytes, freed here whatever happens). */
static p304_code parse_owned(const char *path, char *buf, size_t len, p304_csv **out,
			     p304_error *err)
{
	p304_csv *csv;
	struct csv_parser parser;
	struct parse ps;
	char *text;
	p304_code rc;
	int parser_ready = 0;
	long first_line = 1;

	*out = NULL;
	csv = calloc(1, sizeof(*csv));
	if (!csv || !(csv->path = strdup(path))) {
		free(csv);
		free(buf);
		return p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
	}
	if (len == 0) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
				    _("file is empty, expected a header line"));
		goto fail;
	}
	if (utf16_bom(buf, len) && (rc = from_utf16(path, &buf, &len, err)) != P304_OK)
		goto fail;
	if (memchr(buf, '\0', len) && looks_utf16(buf, len)) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
			_("UTF-16 text without its byte-order mark, expected CSV text; "
			  "save the file as \"CSV UTF-8 (comma delimited)\""));
		goto fail;
	}
	if (memchr(buf, '\0', len)) {
		rc = p304_error_set(err, P304_ERR_INPUT, path,
			line_of(buf, (size_t)((char *)memchr(buf, '\0', len) - buf)),
			_("binary data (a NUL byte), expected CSV text"));
		goto fail;
	}
	text = buf;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		memmove(buf, buf + 3, len - 3);
		len -= 3;
	}
	if ((rc = to_utf8(path, &buf, &len, &csv->cp1252, err)) != P304_OK)
		goto fail;
	text = buf;
	{
		char named = ';';
		long skip = sep_line(text, len, &named);

		if (skip < 0) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				_("the first line 'sep=%c' names the separator '%c', expected ';', ',' "
				  "or a tab"), named, named);
			goto fail;
		}
		text += skip;
		len -= (size_t)skip;
		csv->delim = skip ? named : sniff_delimiter(text, len);
		first_line = skip ? 2 : 1;
	}

	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL |
			      CSV_APPEND_NULL) != 0) {
		rc = p304_error_set(err, P304_ERR_NOMEM, path, 0, _("out of memory"));
		goto fail;
	}
	parser_ready = 1;
	csv_set_delim(&parser, (unsigned char)csv->delim);
	csv_set_space_func(&parser, csv->delim == '\t' ? space_only : space_or_tab);
	csv_set_term_func(&parser, term_char);
	memset(&ps, 0, sizeof(ps));
	ps.csv = csv;
	ps.err = err;
	ps.line = first_line;
	if (csv_parse(&parser, text, len, on_field, on_record, &ps) != len &&
	    ps.rc == P304_OK) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, ps.line,
			_("malformed CSV (%s), near field %zu; check the quotes"),
			csv_strerror(csv_error(&parser)), ps.rec_n + 1);
		goto fail;
	}
	if (ps.rc != P304_OK) {
		rc = ps.rc;
		goto fail;
	}
	if (csv_fini(&parser, on_field, on_record, &ps) != 0 && ps.rc == P304_OK) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, ps.line,
			_("file ends inside a quoted field; check the quotes"));
		goto fail;
	}
	if (ps.rc != P304_OK) {
		rc = ps.rc;
		goto fail;
	}
	if (!ps.have_header) {
		rc = p304_error_set(err, P304_ERR_INPUT, path, 0,
				    _("no header line, expected column names"));
		goto fail;
	}
	/* Duplicated column names would make "which one?" ambiguous. Sorted
	 * once (n log n: a million header cells took minutes pairwise); the
	 * order also serves p304_csv_find_column. The first pair in column
	 * order is reported. */
	if (!(csv->byname = malloc((csv->ncols ? csv->ncols : 1) * sizeof(size_t)))) {
		rc = p304_error_set(err, P304_ERR_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < csv->ncols; i++)
		csv->byname[i] = i;
	sort_header = csv->header;
	qsort(csv->byname, csv->ncols, sizeof(size_t), byname_cmp);
	{
		/* as the pairwise check did: the first column that has a twin,
		 * and its next twin (groups of equal names are sorted by index) */
		size_t first = 0, second = 0;
		int found = 0;

		for (size_t i = 1; i < csv->ncols; i++) {
			size_t a = csv->byname[i - 1], b = csv->byname[i];

			if (!csv->header[a][0] || strcmp(csv->header[a], csv->header[b]) != 0)
				continue;
			if (i >= 2 && strcmp(csv->header[csv->byname[i - 2]], csv->header[a]) == 0)
				continue; /* not the group's first pair */
			if (!found || a < first) {
				first = a;
				second = b;
				found = 1;
			}
		}
		if (found) {
			rc = p304_error_set(err, P304_ERR_INPUT, path, 1,
				"column '%s' appears twice (columns %zu and %zu)",
				csv->header[first], first + 1, second + 1);
			goto fail;
		}
	}
	csv_free(&parser);
	free(buf);
	*out = csv;
	return P304_OK;
fail:
	if (parser_ready)
		csv_free(&parser);
	free(buf);
	p304_csv_free(csv);
	return rc;
}

p304_csv *p304_csv_ref(p304_csv *csv)
{
	if (csv)
		atomic_fetch_add(&csv->extra, 1);
	return csv;
}

void p304_csv_free(p304_csv *csv)
{
	if (!csv || atomic_fetch_sub(&csv->extra, 1) > 0)
		return;
	for (size_t i = 0; i < csv->ncols && csv->header; i++)
		free(csv->header[i]);
	free(csv->header);
	free(csv->byname);
	free(csv->arena);
	free(csv->cells);
	free(csv->rowstart);
	free(csv->rowlen);
	free(csv->lines);
	free(csv->path);
	free(csv);
}

const char *p304_csv_path(const p304_csv *csv) { return csv->path; }
size_t p304_csv_ncols(const p304_csv *csv) { return csv->ncols; }
size_t p304_csv_nrows(const p304_csv *csv) { return csv->nrows; }
const char *p304_csv_header(const p304_csv *csv, size_t col) { return csv->header[col]; }
long p304_csv_line(const p304_csv *csv, size_t row) { return csv->lines[row]; }
char p304_csv_delimiter(const p304_csv *csv) { return csv->delim; }
int p304_csv_was_cp1252(const p304_csv *csv) { return csv->cp1252; }

/* The first column named `name`: binary search in the sorted index. */
long p304_csv_find_column(const p304_csv *csv, const char *name)
{
	size_t lo = 0, hi = csv->ncols;

	if (!csv->byname) {
		for (size_t i = 0; i < csv->ncols; i++)
			if (strcmp(csv->header[i], name) == 0)
				return (long)i;
		return -1;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(csv->header[csv->byname[mid]], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < csv->ncols && strcmp(csv->header[csv->byname[lo]], name) == 0)
		return (long)csv->byname[lo];
	return -1;
}

const char *p304_csv_cell(const p304_csv *csv, size_t row, size_t col)
{
	if (row >= csv->nrows || col >= csv->rowlen[row])
		return "";
	return csv->arena + csv->cells[csv->rowstart[row] + col];
}

void p304_csv_describe_columns(const p304_csv *csv, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < csv->ncols && o < size; i++) {
		if (!csv->header[i][0])
			continue;
		o += (size_t)snprintf(buf + o, size - o, "%s'%s'", o ? ", " : "",
				      csv->header[i]);
	}
	if (o == 0)
		snprintf(buf, size, "none");
}
