/*
 * chart.h - charts of p304 results drawn by gnuplot (pngcairo, svg,
 * pdfcairo), run as a child process through a pipe with an argument vector,
 * never through a shell. Every text taken from a file is escaped.
 */
#ifndef P304_CHART_H
#define P304_CHART_H

#include <p304/p304.h>

typedef enum p304_chart_kind {
	P304_CHART_BARS = 0,  /* amounts by authority (repartition/notification.json) */
	P304_CHART_MAP,       /* map of France from the département outlines */
	P304_CHART_COMPARE,   /* largest rises and falls from A to B (comparaison.json) */
	P304_CHART_WATERFALL, /* decomposition of one authority's change */
	P304_CHART_RECONCILE, /* pre-notified, need, notified (notification.json) */
	P304_CHART_SWEEP,     /* 5-95 % bands and medians (sweep.json) */
	P304_CHART_TILES,     /* tile map of France (one tile per département) */
	P304_CHART_TORNADO,   /* which factor moves the amounts most (sweep.json) */
	P304_CHART_NKINDS
} p304_chart_kind;

typedef enum p304_chart_format {
	P304_FORMAT_PNG = 0,
	P304_FORMAT_SVG,
	P304_FORMAT_PDF
} p304_chart_format;

typedef struct p304_chart_request {
	p304_chart_kind kind;
	p304_chart_format format;
	const char *result_path;  /* a result JSON written by p304 */
	const char *out_path;     /* the image to write (atomically) */
	const char *code;         /* waterfall: the authority */
	const char *map_value;    /* map: "amount" (default), "per_child", "change" */
	const char *tiles_path;   /* tiles: inputs/reference/tuiles.csv */
	const char *caption;      /* extra caption line (sources), may be NULL */
	int force;                /* replace an existing file that is not a chart
				   * of this format (never an input) */
	const char *contours_path; /* map: inputs/reference/contours.csv; NULL:
				    * contours.csv beside tiles_path */
} p304_chart_request;

/* "bars", "map", ... -> kind; -1 when unknown. */
int p304_chart_kind_parse(const char *name);
/* kind -> "bars", "map", ... (the default file name of a chart). */
const char *p304_chart_kind_name(p304_chart_kind kind);

/* Writes the gnuplot script that draws the request into *script (malloc'd,
 * caller frees), the image going to `output`. */
p304_code p304_chart_script(const p304_chart_request *req, const char *output,
			    char **script, p304_error *err);

/* The format a file name asks for: .png, .svg or .pdf (any case); else
 * P304_ERR_USAGE and *format untouched. */
p304_code p304_chart_format_of(const char *path, p304_chart_format *format);

/* Draws the chart: script, gnuplot into a temporary file beside
 * req->out_path, checked whole (a full disk truncates it), synced, then
 * renamed into place (through a symbolic link: the file it points to).
 * Refuses an out_path that is one of the inputs, a folder or a device, or an
 * existing file that is not a chart of req->format (unless req->force).
 * Errors: P304_ERR_DEPENDENCY when gnuplot is not installed, P304_ERR_INPUT
 * for a result that does not fit the kind, P304_ERR_IO. */
p304_code p304_chart_render(const p304_chart_request *req, p304_error *err);

/* ------------------------------------------------------------------ */
/* The note for the minister (p304 note)                               */
/* ------------------------------------------------------------------ */

#include <stdio.h>

#include <p304/io.h>

struct p304_ledger_digest;

typedef struct p304_note {
	const p304_result *alloc;          /* required */
	const p304_comparison *cmp;        /* optional: --compare */
	const p304_notification *nt;       /* optional: --needs */
	/* SVG files drawn beforehand (embedded in the HTML, linked from the
	 * Markdown by their base names); NULL when absent */
	const char *svg_map, *svg_bars, *svg_compare, *svg_reconcile;
	long date;       /* yyyymmdd written at the top of the note */
	int for_pandoc;  /* Markdown for pandoc (.docx): page breaks as raw
			  * Word XML; images are the .png beside each .svg */
	/* optional (--ledger): the campaign's history and the note's year N;
	 * the years N − 2 and N − 1 that have delegated or consumed amounts
	 * are cited (page 2 and an annex). NULL, or no such year: the note
	 * is exactly the one without a ledger. */
	const struct p304_ledger_digest *hist;
	int hist_year;
} p304_note;

/* note.html: self-contained (SVG and CSS inline), prints on A4. */
p304_code p304_write_note_html(const p304_note *note, FILE *fp, p304_error *err);
/* note.md: the same text, images linked as PNG (map.svg -> map.png). In
 * both, the comparison reads from cmp's A (the reference) to its B (the
 * scenario of the note). */
p304_code p304_write_note_md(const p304_note *note, FILE *fp, p304_error *err);

/* Everything a note is made of, in memory (p304 note writes these files,
 * p304 serve sends one): note_make.c draws the charts and runs pandoc in a
 * private scratch folder removed before returning. */
enum {
	P304_NOTE_HTML = 1,    /* note.html, charts inline */
	P304_NOTE_MD = 2,      /* note.md, charts linked as map.png, ... */
	P304_NOTE_DOCX = 4,    /* note.docx (pandoc), charts as PNG images */
	P304_NOTE_ODT = 8,     /* note.odt (pandoc) */
	P304_NOTE_CHARTS = 16, /* the charts themselves: map.svg, map.png, ... */
	P304_NOTE_PNG = 32     /* PNG beside each SVG chart */
};

typedef struct p304_note_request {
	const p304_result *alloc;      /* required */
	const p304_comparison *cmp;    /* optional: changes from cmp's A to alloc */
	const p304_notification *nt;   /* optional: the notification */
	long date;                     /* yyyymmdd of the note */
	const char *tiles_path;        /* inputs/reference/tuiles.csv (contours beside it) */
	unsigned what;                 /* P304_NOTE_* */
	const struct p304_ledger_digest *hist; /* optional: as p304_note */
	int hist_year;
} p304_note_request;

typedef struct p304_note_file {
	char name[32];  /* "note.docx", "map.svg", ... */
	char *data;     /* owned */
	size_t len;
} p304_note_file;

typedef struct p304_note_files {
	p304_note_file file[16];
	size_t n;
	char no_charts[512];  /* gnuplot missing: why there are no charts, else "" */
	char no_office[512];  /* pandoc missing: why no .docx/.odt, else "" */
} p304_note_files;

/* Fills *out (free with p304_note_files_free, also after an error: it is
 * then empty). A missing gnuplot or pandoc is not an error: the files that
 * need it are left out and no_charts / no_office say why. Errors:
 * P304_ERR_IO (scratch folder, pandoc failed), P304_ERR_INPUT (a result
 * the charts cannot draw), P304_ERR_NOMEM. */
p304_code p304_note_make(const p304_note_request *rq, p304_note_files *out, p304_error *err);
/* The file of that name in f, or NULL. */
const p304_note_file *p304_note_files_find(const p304_note_files *f, const char *name);
void p304_note_files_free(p304_note_files *f);

/* Département sheets (p304 fiches): one HTML page per participant (i), the
 * index page linking them (CODE.html), and every sheet in one Markdown text
 * (page breaks for pandoc when for_pandoc), all escaped. */
p304_code p304_write_fiche_html(const p304_fiches *fs, size_t i, FILE *fp, p304_error *err);
p304_code p304_write_fiches_index_html(const p304_fiches *fs, FILE *fp, p304_error *err);
p304_code p304_write_fiches_md(const p304_fiches *fs, int for_pandoc, FILE *fp, p304_error *err);

/* Converts the Markdown file md_path into out_path (.docx or .odt, by its
 * extension) with pandoc, images looked up in resource_dir. `epoch` (seconds,
 * 0 = none) is passed as SOURCE_DATE_EPOCH so the same input gives the same
 * file. Errors: P304_ERR_DEPENDENCY when pandoc is not installed (the message
 * says how to install it), P304_ERR_IO when it fails. */
p304_code p304_pandoc_convert(const char *md_path, const char *out_path,
			      const char *resource_dir, long epoch, p304_error *err);

/* The evolution of a ledger view (p304 ledger view --chart): one line per
 * collectivité over the years, named from `ref`; the codes asked for (at
 * most 12), or the 12 largest of the last year. A PNG written to fp. */
struct p304_ledger_view;
p304_code p304_chart_ledger_evolution(const struct p304_ledger_view *v,
				      const p304_reference *ref, const char *const *codes,
				      size_t ncodes, FILE *fp, p304_error *err);

#endif /* P304_CHART_H */
