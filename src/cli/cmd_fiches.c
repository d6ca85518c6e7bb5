/*
 * cmd_fiches.c - `p304 fiches SCENARIO|RESULT.json [--compare REFERENCE] -o DIR`:
 * one sheet per participant (DIR/CODE.html, and every sheet in
 * DIR/fiches.docx through pandoc when it is installed), and DIR/index.html.
 * The content comes from p304_run_fiches (src/workflow/fiche.c).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p304/chart.h>
#include <p304/ledger.h>

#include "cli.h"
#include "format/fileutil.h"
#include "gettext.h"

static const struct cli_usage usage = {
	"fiches", N_("SCENARIO.json|RESULT.json"),
	N_("Writes one sheet per participant, the answer to a département that asks why\n"
	"it got its amount: its four indicators with their sources, its share of\n"
	"each, the formula amount, floor or ceiling, the rounding, its rank, and\n"
	"(--compare) its change against REFERENCE split by factor, the same numbers\n"
	"as `p304 compare REFERENCE SCENARIO`. A RESULT.json (repartition.json)\n"
	"is explained from the scenario its manifest.json names, which must still\n"
	"give the same amounts.\n"),
	N_("Writes DIR/index.html, DIR/<code>.html for each participant, DIR/fiches.md,\n"
	"DIR/fiches.docx (one page per participant; needs pandoc) and\n"
	"DIR/manifest.json.\n"
	"Exit codes: 0 ok, 2 usage, 3 input error, 4 infeasible, 5 file error.\n")
};

struct one {
	const p304_fiches *fs;
	size_t i;
	char name[32];
};

static p304_code w_one(const void *c, FILE *fp, p304_error *e)
{
	const struct one *o = c;

	return p304_write_fiche_html(o->fs, o->i, fp, e);
}

static p304_code w_index(const void *c, FILE *fp, p304_error *e) { return p304_write_fiches_index_html(c, fp, e); }
static p304_code w_md(const void *c, FILE *fp, p304_error *e) { return p304_write_fiches_md(c, 0, fp, e); }

struct mctx {
	const p304_input_file *in;
	size_t n;
	const char *const *argv;
};

static p304_code w_manifest(const void *c, FILE *fp, p304_error *e)
{
	const struct mctx *m = c;

	return p304_write_inputs_manifest(m->in, m->n, m->argv, cli_set_files(), fp, e);
}

int cmd_fiches(int argc, char **argv)
{
	const char *path = NULL, *other = NULL, *outdir = NULL, **margv = NULL, *ledger = NULL;
	p304_ledger_digest *hist = NULL;
	p304_input_file ledger_in = { 0 };
	char *defdir = NULL, mdp[PATH_MAX], docx[PATH_MAX];
	p304_scratch scratch = { 0 };
	p304_fiches *fs = NULL;
	struct one *ones = NULL;
	struct cli_file *files = NULL;
	p304_input_file *inputs = NULL;
	size_t ninputs = 0, nf = 0;
	int quiet = 0, code = EXIT_INTERNAL, have_docx = 0;
	p304_error err;

	p304_error_clear(&err);
	{
		const struct cli_option opts[] = {
			{ "--compare", _("a scenario"), &other, NULL, N_("REFERENCE.json"),
			  N_("the scenario (or result) the changes are measured from") },
			{ "--ledger", _("a file"), &ledger, NULL, N_("LEDGER"),
			  N_("the campaign ledger: each sheet shows its history (years x stages) and the "
			     "file each amount came from") },
			{ "-o|--output", _("a directory"), &outdir, NULL, N_("DIR"),
			  N_("output folder (default: outputs/fiches-<id>/)") },
			{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &path, 1,
					   "one scenario or result at a time", &nop);

		if (rc >= 0)
			return rc;
	}
	if (!path)
		return cli_usage_error("fiches", _("missing SCENARIO.json or RESULT.json"));
	if (p304_run_fiches(path, other, cli_default_reference(), &fs, &err) != P304_OK) {
		code = cli_fail(&err);
		goto out;
	}
	cli_print_warnings(fs->res);
	if (ledger && (code = cli_ledger_digest(ledger, 0, 0, &hist, &ledger_in)) >= 0)
		goto out;
	code = EXIT_INTERNAL;
	fs->hist = hist;
	inputs = calloc(fs->res->ninputs + (fs->cmp ? fs->cmp->ninputs : 0) + 2, sizeof(*inputs));
	ones = calloc(fs->n ? fs->n : 1, sizeof(*ones));
	files = calloc(fs->n + 5, sizeof(*files));
	if (!inputs || !ones || !files)
		goto out;
	for (size_t i = 0; i < fs->res->ninputs; i++)
		inputs[ninputs++] = fs->res->inputs[i];
	for (size_t i = 0; fs->cmp && i < fs->cmp->ninputs; i++)
		if (!strncmp(fs->cmp->inputs[i].role, "A:", 2))
			inputs[ninputs++] = fs->cmp->inputs[i];
	if (ledger)
		inputs[ninputs++] = ledger_in;
	/* every sheet in one .docx (one pandoc run, a page each) */
	if (p304_scratch_open(&scratch, "fiches") != 0) {
		fprintf(stderr, _("p304: cannot create a scratch folder\n"));
		code = EXIT_IO;
		goto out;
	}
	p304_scratch_path(&scratch, "fiches.md", mdp, sizeof(mdp));
	p304_scratch_path(&scratch, "fiches.docx", docx, sizeof(docx));
	{
		FILE *fp = fopen(mdp, "wb");
		p304_code prc;

		if (!fp) {
			fprintf(stderr, _("p304: %s: cannot write\n"), mdp);
			code = EXIT_IO;
			goto out;
		}
		prc = p304_write_fiches_md(fs, 1, fp, &err);
		if (fclose(fp) != 0 || prc != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
		prc = p304_pandoc_convert(mdp, docx, scratch.dir, 0, &err);
		if (prc == P304_OK)
			have_docx = 1;
		else if (prc == P304_ERR_DEPENDENCY)
			fprintf(stderr, _("p304: warning: %s; fiches.docx is not written\n"), err.message);
		else {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!outdir) {
		if (asprintf(&defdir, "outputs/fiches-%s", fs->res->scenario->id) < 0)
			goto out;
		outdir = defdir;
	}
	if (!(margv = cli_argv_with_output(argc, argv, outdir)))
		goto out;
	{
		struct mctx m = { inputs, ninputs, margv };

		files[nf++] = (struct cli_file){ "index.html", w_index, fs };
		for (size_t i = 0; i < fs->n; i++) {
			ones[i] = (struct one){ fs, i, "" };
			snprintf(ones[i].name, sizeof(ones[i].name), "%s.html", fs->f[i].row->code);
			files[nf++] = (struct cli_file){ ones[i].name, w_one, &ones[i] };
		}
		files[nf++] = (struct cli_file){ "fiches.md", w_md, fs };
		if (have_docx)
			files[nf++] = (struct cli_file){ "fiches.docx", p304_copy_file_to, docx };
		files[nf++] = (struct cli_file){ "manifest.json", w_manifest, &m };
		if (cli_write_files(inputs, ninputs, outdir, files, nf, &err) != P304_OK) {
			code = cli_fail(&err);
			goto out;
		}
	}
	if (!quiet)
		printf(_("%zu sheets in %s/ (index.html, <code>.html, fiches.md%s)\n"), fs->n, outdir,
		       have_docx ? ", fiches.docx" : "");
	code = EXIT_OK;
out:
	p304_scratch_close(&scratch);
	free(margv);
	free(defdir);
	free(inputs);
	free(ones);
	free(files);
	p304_fiches_free(fs);
	p304_ledger_digest_free(hist);
	return code;
}
