/*
 * cmd_chart.c - `p304 chart RESULT.json --kind KIND [--format F] [-o FILE]`:
 * a chart of a result, drawn by gnuplot.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p304/chart.h>

#include "cli.h"
#include "gettext.h"

static const struct cli_usage usage = {
	"chart", N_("RESULT.json --kind KIND"),
	N_("Draws a result of p304 with gnuplot:\n"
	"  bars       amounts by authority, sorted, floor and ceiling as lines\n"
	"             (repartition.json, notification.json)\n"
	"  map        map of France (département outlines) coloured by --value:\n"
	"             amount, per_child (amount per child 0-19) or change\n"
	"             (comparaison.json, in %); colours clipped to the 5th-95th\n"
	"             percentiles\n"
	"  tiles      the same on a tile map (one tile per département)\n"
	"  compare    largest rises and falls from A to B (comparaison.json)\n"
	"  waterfall  one authority's change, factor by factor (--code,\n"
	"             comparaison.json)\n"
	"  reconcile  pre-notified, need and notified (notification.json)\n"
	"  sweep      5-95 % bands and medians (sweep.json)\n"
	"  tornado    which factor moves the amounts most (sweep.json)\n"),
	N_("Exit codes: 0 ok, 2 usage, 3 input error, 5 file error, 7 gnuplot missing.\n")
};

int cmd_chart(int argc, char **argv)
{
	p304_chart_request req = { .kind = -1, .format = P304_FORMAT_PNG };
	static const char *const ext[] = { "png", "svg", "pdf" };
	char *defout = NULL, tiles[PATH_MAX];
	int quiet = 0, force = 0, code;
	p304_error err;

	p304_error_clear(&err);
	{
		const char *kind = NULL, *format = NULL;
		const struct cli_option opts[] = {
			{ "--kind", _("a value"), &kind, NULL, N_("KIND"), N_("what to draw: one of the kinds above") },
			{ "--format", _("png, svg or pdf"), &format, NULL, N_("png|svg|pdf"),
			  N_("the image format (default: the extension of -o, else png)") },
			{ "-o|--output", _("a file"), &req.out_path, NULL, N_("FILE"),
			  N_("the image (default: RESULT's folder, KIND.FORMAT); its extension .png, "
			     ".svg or .pdf gives the format if --format is not given. An existing file "
			     "is replaced only if it is a chart of the same format, never one of the inputs.") },
			{ "--code", _("a code"), &req.code, NULL, N_("CODE"), N_("the authority of the waterfall") },
			{ "--value", _("a value"), &req.map_value, NULL, N_("amount|per_child|change"),
			  N_("what the map colours (default: amount)") },
			{ "--force", NULL, NULL, &force, NULL, N_("replace an existing file that is not a chart") },
				{ "-q|--quiet", NULL, NULL, &quiet, NULL, N_("print nothing on stdout") },
			CLI_OPT_END
		};
		size_t nop;
		int rc = cli_parse_options(&usage, argc, argv, opts, &req.result_path, 1,
					   _("one result at a time"), &nop);

		if (rc >= 0)
			return rc;
		if (kind && (int)(req.kind = p304_chart_kind_parse(kind)) < 0)
			return cli_usage_error("chart", "unknown kind '%s' (bars, map, tiles, compare, "
					       "waterfall, reconcile, sweep, tornado)", kind);
		if (!format && req.out_path) {
			/* -o x.svg: the extension says the format */
			if (p304_chart_format_of(req.out_path, &req.format) != P304_OK)
				return cli_usage_error("chart", _("cannot tell the format of '%s': "
						       "name it .png, .svg or .pdf, or give --format"),
						       req.out_path);
		} else if (!format || !strcmp(format, "png"))
			req.format = P304_FORMAT_PNG;
		else if (!strcmp(format, "svg"))
			req.format = P304_FORMAT_SVG;
		else if (!strcmp(format, "pdf"))
			req.format = P304_FORMAT_PDF;
		else
			return cli_usage_error("chart", _("--format takes png, svg or pdf"));
		if (format && req.out_path) {
			p304_chart_format named;

			if (p304_chart_format_of(req.out_path, &named) == P304_OK &&
			    named != req.format)
				return cli_usage_error("chart", _("'%s' names a .%s file but --format is %s"),
						       req.out_path, ext[named], format);
		}
	}
	req.force = force;
	if (!req.result_path)
		return cli_usage_error("chart", _("missing RESULT.json"));
	if ((int)req.kind < 0)
		return cli_usage_error("chart", _("missing --kind"));
	if (!req.out_path) {
		char *copy = strdup(req.result_path);

		if (!copy || asprintf(&defout, "%s/%s.%s", dirname(copy), p304_chart_kind_name(req.kind), ext[req.format]) < 0) {
			free(copy);
			return EXIT_INTERNAL;
		}
		free(copy);
		req.out_path = defout;
	}
	/* the tile table lives beside the reference list */
	cli_tiles_path(tiles, sizeof(tiles));
	req.tiles_path = tiles;
	if (p304_chart_render(&req, &err) != P304_OK) {
		code = cli_fail(&err);
	} else {
		if (!quiet)
			printf("%s\n", req.out_path);
		code = EXIT_OK;
	}
	free(defout);
	return code;
}
