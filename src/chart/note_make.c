/*
 * note_make.c - everything the minister's note is made of, in memory: the
 * charts drawn by gnuplot (SVG, and PNG for Word), note.html (charts
 * inline), note.md, and note.docx / note.odt by pandoc. `p304 note` writes
 * these files into its output set; `p304 serve` sends one of them. One
 * function for both (issue 20: the note's logic below the CLI), so the
 * page's Word note is the very note of the command line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <p304/chart.h>

#include "../format/fileutil.h"
#include "gettext.h"

#define NCHARTS 4

static const char *const svg_names[NCHARTS] = { "map.svg", "bars.svg", "compare.svg", "reconcile.svg" };
static const char *const png_names[NCHARTS] = { "map.png", "bars.png", "compare.png", "reconcile.png" };

/* Noon UTC of that day, for pandoc's SOURCE_DATE_EPOCH: the same note on
 * the same day gives the same .docx (p304 verify compares it). */
static long date_epoch(long d)
{
	struct tm tm = { .tm_year = (int)(d / 10000) - 1900, .tm_mon = (int)(d / 100 % 100) - 1,
			 .tm_mday = (int)(d % 100), .tm_hour = 12 };

	return (long)timegm(&tm);
}

/* Takes the bytes of a scratch file into the next slot of out. */
static p304_code take_file(p304_note_files *out, const char *name, const char *path,
			   p304_error *err)
{
	p304_note_file *f;

	if (out->n >= sizeof(out->file) / sizeof(out->file[0]))
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0, "too many note files");
	f = &out->file[out->n];
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (p304_read_file(path, &f->data, &f->len, err) != P304_OK)
		return err->code;
	out->n++;
	return P304_OK;
}

/* Writes `w` of `x` into memory as the next file of out. */
static p304_code take_written(p304_note_files *out, const char *name,
			      p304_code (*w)(const p304_note *, FILE *, p304_error *),
			      const p304_note *note, p304_error *err)
{
	p304_note_file *f;
	FILE *fp;
	p304_code rc;

	if (out->n >= sizeof(out->file) / sizeof(out->file[0]))
		return p304_error_set(err, P304_ERR_INTERNAL, NULL, 0, "too many note files");
	f = &out->file[out->n];
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (!(fp = open_memstream(&f->data, &f->len)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	rc = w(note, fp, err);
	if (fclose(fp) != 0 && rc == P304_OK)
		rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if (rc != P304_OK) {
		free(f->data);
		f->data = NULL;
		return rc;
	}
	out->n++;
	return P304_OK;
}

/* A result written into the scratch folder, for the chart reader. */
static p304_code dump(const char *path, p304_code (*w)(const void *, FILE *, p304_error *),
		      const void *obj, p304_error *err)
{
	FILE *fp = fopen(path, "wb");
	p304_code rc;

	if (!fp)
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot write a scratch file: %s"),
				      strerror(errno));
	rc = w(obj, fp, err);
	if (fclose(fp) != 0 && rc == P304_OK)
		rc = p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
	return rc;
}

static p304_code w_res(const void *x, FILE *fp, p304_error *e) { return p304_write_result_json(x, fp, e); }
static p304_code w_cmp(const void *x, FILE *fp, p304_error *e) { return p304_write_comparison_json(x, fp, e); }
static p304_code w_nt(const void *x, FILE *fp, p304_error *e) { return p304_write_notification_json(x, fp, e); }

struct scratch {
	char dir[512], jres[600], jcmp[600], jnt[600], md[600], docx[600], odt[600];
	char svg[NCHARTS][600], png[NCHARTS][600];
};

static void scratch_remove(const struct scratch *s)
{
	/* absent ones: ENOENT, harmless */
	for (int k = 0; k < NCHARTS; k++) {
		unlink(s->svg[k]);
		unlink(s->png[k]);
	}
	unlink(s->jres);
	unlink(s->jcmp);
	unlink(s->jnt);
	unlink(s->md);
	unlink(s->docx);
	unlink(s->odt);
	rmdir(s->dir);
}

/* The map, the bars, the comparison and the notification as SVG (and
 * PNG); without gnuplot, none, and out->no_charts says why. */
static p304_code draw_charts(const struct scratch *s, const p304_note_request *rq,
			     const char **svg, int png, p304_note_files *out, p304_error *err)
{
	for (int k = 0; k < NCHARTS; k++) {
		p304_chart_request req = { .format = P304_FORMAT_SVG, .tiles_path = rq->tiles_path };
		p304_code rc;

		if ((k == 2 && !rq->cmp) || (k == 3 && !rq->nt))
			continue;
		req.kind = k == 0 ? P304_CHART_MAP : k == 1 ? P304_CHART_BARS
			 : k == 2 ? P304_CHART_COMPARE : P304_CHART_RECONCILE;
		req.result_path = k == 2 ? s->jcmp : k == 3 ? s->jnt : s->jres;
		req.out_path = s->svg[k];
		if ((rc = p304_chart_render(&req, err)) != P304_OK) {
			if (rc != P304_ERR_DEPENDENCY)
				return rc;
			snprintf(out->no_charts, sizeof(out->no_charts), "%.500s", err->message);
			return P304_OK;
		}
		svg[k] = s->svg[k];
		if (!png)
			continue;
		req.format = P304_FORMAT_PNG;
		req.out_path = s->png[k];
		if ((rc = p304_chart_render(&req, err)) != P304_OK)
			return rc;
	}
	return P304_OK;
}

static p304_code write_md_file(const char *path, const p304_note *note, p304_error *err)
{
	FILE *fp = fopen(path, "wb");
	p304_code rc;

	if (!fp)
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot write a scratch file: %s"),
				      strerror(errno));
	rc = p304_write_note_md(note, fp, err);
	if (fclose(fp) != 0 && rc == P304_OK)
		rc = p304_error_set(err, P304_ERR_IO, NULL, 0, _("write failed"));
	return rc;
}

/* .docx then .odt by pandoc on the Markdown written for it; without
 * pandoc, neither, and out->no_office says why. */
static p304_code office(const struct scratch *s, const p304_note_request *rq, p304_note *note,
			int *have_docx, int *have_odt, p304_note_files *out, p304_error *err)
{
	p304_code rc;

	note->for_pandoc = 1;
	rc = write_md_file(s->md, note, err);
	note->for_pandoc = 0;
	if (rc != P304_OK)
		return rc;
	if ((rq->what & P304_NOTE_DOCX) &&
	    (rc = p304_pandoc_convert(s->md, s->docx, s->dir, date_epoch(rq->date), err)) == P304_OK)
		*have_docx = 1;
	if (rc == P304_OK && (rq->what & P304_NOTE_ODT) &&
	    (rc = p304_pandoc_convert(s->md, s->odt, s->dir, date_epoch(rq->date), err)) == P304_OK)
		*have_odt = 1;
	if (rc == P304_ERR_DEPENDENCY) {
		snprintf(out->no_office, sizeof(out->no_office), "%.500s", err->message);
		return P304_OK;
	}
	return rc;
}

static void scratch_names(struct scratch *s)
{
	/* a copy: GCC's -Wrestrict sees the folder and the names in one struct */
	char dir[sizeof(s->dir)];

	memcpy(dir, s->dir, sizeof(dir));
	snprintf(s->jres, sizeof(s->jres), "%s/repartition.json", dir);
	snprintf(s->jcmp, sizeof(s->jcmp), "%s/comparaison.json", dir);
	snprintf(s->jnt, sizeof(s->jnt), "%s/notification.json", dir);
	snprintf(s->md, sizeof(s->md), "%s/note-pandoc.md", dir);
	snprintf(s->docx, sizeof(s->docx), "%s/note.docx", dir);
	snprintf(s->odt, sizeof(s->odt), "%s/note.odt", dir);
	for (int k = 0; k < NCHARTS; k++) {
		snprintf(s->svg[k], sizeof(s->svg[k]), "%s/%s", dir, svg_names[k]);
		snprintf(s->png[k], sizeof(s->png[k]), "%s/%s", dir, png_names[k]);
	}
}

/* Every file asked for, in the order p304 note lists them. */
static p304_code collect(const struct scratch *s, const p304_note_request *rq, p304_note *note,
			 const char **svg, int have_docx, int have_odt, p304_note_files *out,
			 p304_error *err)
{
	int png = (rq->what & (P304_NOTE_PNG | P304_NOTE_DOCX | P304_NOTE_ODT)) != 0;

	if ((rq->what & P304_NOTE_HTML) && take_written(out, "note.html", p304_write_note_html, note, err))
		return err->code;
	if ((rq->what & P304_NOTE_MD) && take_written(out, "note.md", p304_write_note_md, note, err))
		return err->code;
	if (have_docx && take_file(out, "note.docx", s->docx, err))
		return err->code;
	if (have_odt && take_file(out, "note.odt", s->odt, err))
		return err->code;
	for (int k = 0; k < NCHARTS && (rq->what & P304_NOTE_CHARTS); k++) {
		if (svg[k] && take_file(out, svg_names[k], s->svg[k], err))
			return err->code;
		if (svg[k] && png && take_file(out, png_names[k], s->png[k], err))
			return err->code;
	}
	return P304_OK;
}

p304_code p304_note_make(const p304_note_request *rq, p304_note_files *out, p304_error *err)
{
	const char *t = getenv("TMPDIR"), *svg[NCHARTS] = { NULL, NULL, NULL, NULL };
	int have_docx = 0, have_odt = 0;
	struct scratch s;
	p304_note note;
	p304_code rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	snprintf(s.dir, sizeof(s.dir), "%s/p304-note-XXXXXX", t && t[0] == '/' ? t : "/tmp");
	if (!mkdtemp(s.dir))
		return p304_error_set(err, P304_ERR_IO, NULL, 0, _("cannot create a scratch folder: %s"),
				      strerror(errno));
	scratch_names(&s);
	if ((rc = dump(s.jres, w_res, rq->alloc, err)) != P304_OK ||
	    (rq->cmp && (rc = dump(s.jcmp, w_cmp, rq->cmp, err)) != P304_OK) ||
	    (rq->nt && (rc = dump(s.jnt, w_nt, rq->nt, err)) != P304_OK))
		goto out;
	rc = draw_charts(&s, rq, svg, (rq->what & (P304_NOTE_PNG | P304_NOTE_DOCX | P304_NOTE_ODT)) != 0,
			 out, err);
	if (rc != P304_OK)
		goto out;
	note = (p304_note){ rq->alloc, rq->cmp, rq->nt, svg[0], svg[1], svg[2], svg[3], rq->date, 0,
			     rq->hist, rq->hist_year };
	if ((rq->what & (P304_NOTE_DOCX | P304_NOTE_ODT)) &&
	    (rc = office(&s, rq, &note, &have_docx, &have_odt, out, err)) != P304_OK)
		goto out;
	rc = collect(&s, rq, &note, svg, have_docx, have_odt, out, err);
out:
	scratch_remove(&s);
	if (rc != P304_OK)
		p304_note_files_free(out);
	return rc;
}

const p304_note_file *p304_note_files_find(const p304_note_files *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->file[i].name, name))
			return &f->file[i];
	return NULL;
}

void p304_note_files_free(p304_note_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->file[i].data);
	f->n = 0;
}
