/*
 * test_chart.c - charts drawn by gnuplot: each kind renders; a PNG has its
 * signature and the expected size, an SVG parses and names the authorities,
 * a PDF starts with %PDF; titles with quotes, accents and an attempted
 * gnuplot command render literally and run nothing.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <p304/chart.h>

static char dir[64], tiles[128];

static const char *put(const char *name, const char *text)
{
	static char path[8][160];
	static int slot;
	char *p = path[slot++ % 8];
	FILE *fp;

	snprintf(p, 160, "%s/%s", dir, name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc(*len + 1);
	assert_int_equal(fread(buf, 1, *len, fp), *len);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static const char *RESULT =
	"{\"id\": \"t\", \"title\": \"L'Haÿ-les-Roses \\\"test\\\" '; system('touch /tmp/p304-pwned'); '\",\n"
	" \"envelope_eur\": 3000000, \"floor_eur\": 600000, \"ceiling_eur\": 1500000,\n"
	" \"criteria\": [{\"column\": \"enfants_0_19\", \"weight_pct\": 100, \"source\": \"INSEE 'x' \\\"y\\\"\"}],\n"
	" \"rows\": [{\"code\": \"49\", \"name\": \"M\", \"amount_eur\": 1500000, \"status\": \"ceiling\", \"criteria\": {\"enfants_0_19\": 200000}},\n"
	"          {\"code\": \"2A\", \"name\": \"C\", \"amount_eur\": 900000, \"status\": \"free\", \"criteria\": {\"enfants_0_19\": 30000}},\n"
	"          {\"code\": \"973\", \"name\": \"G\", \"amount_eur\": 600000, \"status\": \"floor\", \"criteria\": {\"enfants_0_19\": 118000}}]}\n";

static void render(p304_chart_kind kind, p304_chart_format fmt, const char *result,
		   const char *out, const char *code, const char *value)
{
	/* force: the tests draw several formats under one file name */
	p304_chart_request req = { .kind = kind, .format = fmt, .result_path = result,
		.out_path = out, .code = code, .map_value = value, .tiles_path = tiles,
		.force = 1 };
	p304_error err;

	if (p304_chart_render(&req, &err) != P304_OK)
		fail_msg("chart %d: %s", kind, err.message);
}

static void check_png(const char *path, unsigned w, unsigned h)
{
	size_t len;
	unsigned char *b = (unsigned char *)slurp(path, &len);

	assert_true(len > 1000);
	assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(b + 12, "IHDR", 4);
	assert_int_equal(((unsigned)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19]), w);
	assert_int_equal(((unsigned)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23]), h);
	free(b);
}

static void test_kinds(void **state)
{
	const char *res = put("repartition.json", RESULT);
	char out[160], *svg;
	size_t len;

	(void)state;
	snprintf(out, sizeof(out), "%s/bars.png", dir);
	render(P304_CHART_BARS, P304_FORMAT_PNG, res, out, NULL, NULL);
	check_png(out, 1400, 800);
	snprintf(out, sizeof(out), "%s/map.png", dir);
	render(P304_CHART_MAP, P304_FORMAT_PNG, res, out, NULL, "per_child");
	check_png(out, 1100, 1050);
	snprintf(out, sizeof(out), "%s/map.svg", dir);
	render(P304_CHART_MAP, P304_FORMAT_SVG, res, out, NULL, NULL);
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "</svg>"));
	assert_non_null(strstr(svg, ">973<"));
	assert_non_null(strstr(svg, ">2A<"));
	/* the title is there literally, escaped for XML */
	assert_non_null(strstr(svg, "Haÿ-les-Roses"));
	free(svg);
	snprintf(out, sizeof(out), "%s/bars.pdf", dir);
	render(P304_CHART_BARS, P304_FORMAT_PDF, res, out, NULL, NULL);
	svg = slurp(out, &len);
	assert_memory_equal(svg, "%PDF", 4);
	free(svg);
	/* nothing in a title runs */
	assert_int_not_equal(access("/tmp/p304-pwned", F_OK), 0);
}

static void test_other_results(void **state)
{
	const char *cmp = put("comparaison.json",
		"{\"a\": \"x\", \"b\": \"y\", \"a_title\": \"A\", \"b_title\": \"B\", \"decomposed\": true,\n"
		" \"factors\": [\"envelope\", \"data:x \\\"q\\\"\"],\n"
		" \"rows\": [{\"code\": \"49\", \"name\": \"M\", \"a_eur\": 100, \"b_eur\": 150, \"delta_eur\": 50, \"delta_pct\": 50,\n"
		"   \"contrib_eur\": {\"envelope\": 20, \"data:x \\\"q\\\"\": 30}},\n"
		"  {\"code\": \"77\", \"name\": \"S\", \"a_eur\": 300, \"b_eur\": 250, \"delta_eur\": -50, \"delta_pct\": -16.67,\n"
		"   \"contrib_eur\": {\"envelope\": 20, \"data:x \\\"q\\\"\": -70}}]}\n");
	const char *nt = put("notification.json",
		"{\"id\": \"n\", \"title\": \"N\", \"unallocated_eur\": 10, \"policy\": {},\n"
		" \"rows\": [{\"code\": \"49\", \"prenotified_eur\": 100, \"need_eur\": null, \"notified_eur\": 0},\n"
		"          {\"code\": \"77\", \"prenotified_eur\": 100, \"need_eur\": 90, \"notified_eur\": 90}]}\n");
	const char *sw = put("sweep.json",
		"{\"id\": \"s\", \"title\": \"S\", \"samples\": 10, \"tornado\": [],\n"
		" \"rows\": [{\"code\": \"49\", \"base_eur\": 5, \"min_eur\": 1, \"p5_eur\": 2, \"median_eur\": 5,"
		" \"p95_eur\": 8, \"max_eur\": 9}]}\n");
	char out[160];
	p304_chart_request req = { .kind = P304_CHART_WATERFALL, .result_path = cmp,
		.out_path = NULL, .code = "99", .tiles_path = tiles };
	p304_error err;

	(void)state;
	snprintf(out, sizeof(out), "%s/c.png", dir);
	render(P304_CHART_COMPARE, P304_FORMAT_PNG, cmp, out, NULL, NULL);
	render(P304_CHART_WATERFALL, P304_FORMAT_PNG, cmp, out, "77", NULL);
	render(P304_CHART_MAP, P304_FORMAT_PNG, cmp, out, NULL, "change");
	render(P304_CHART_RECONCILE, P304_FORMAT_SVG, nt, out, NULL, NULL);
	render(P304_CHART_SWEEP, P304_FORMAT_PNG, sw, out, NULL, NULL);
	/* refusals, and no file left behind */
	req.out_path = out;
	unlink(out);
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "no authority '99'"));
	req.kind = P304_CHART_SWEEP;
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "'sweep' draws a sweep.json"));
	assert_int_not_equal(access(out, F_OK), 0);
}

/* What an officer reads: a title longer than the chart is wrapped (it was
 * cut at both edges), an authority absent from A is drawn as an entrant and
 * not as "up from 0", and the factors are named in French. */
static void test_readable_labels(void **state)
{
	const char *cmp = put("comparaison2.json",
		"{\"a\": \"x\", \"b\": \"y\", \"decomposed\": true,\n"
		" \"a_title\": \"P304 2020 – première vague (30 départements, circulaire du 20 février 2020)\",\n"
		" \"b_title\": \"P304 2025 – tous les départements, enveloppe hypothétique de 70 M€, plancher et plafond de 2020\",\n"
		" \"factors\": [\"envelope\", \"data:enfants_ase\"],\n"
		" \"rows\": [{\"code\": \"49\", \"name\": \"M\", \"a_eur\": 0, \"b_eur\": 150, \"delta_eur\": 150,\n"
		"   \"status_a\": \"absent\", \"status_b\": \"free\", \"contrib_eur\": {\"envelope\": 20, \"data:enfants_ase\": 130}},\n"
		"  {\"code\": \"77\", \"name\": \"S\", \"a_eur\": 300, \"b_eur\": 250, \"delta_eur\": -50,\n"
		"   \"status_a\": \"free\", \"status_b\": \"free\", \"contrib_eur\": {\"envelope\": 20, \"data:enfants_ase\": -70}}]}\n");
	char out[160], *svg, *p;
	size_t len;

	(void)state;
	snprintf(out, sizeof(out), "%s/c2.svg", dir);
	render(P304_CHART_COMPARE, P304_FORMAT_SVG, cmp, out, NULL, NULL);
	svg = slurp(out, &len);
	/* the two titles end on different lines of text */
	assert_non_null(p = strstr(svg, "A : P304 2020"));
	assert_null(strstr(svg, "2020) — B : P304 2025 – tous les départements, enveloppe hypothétique de 70 M€"));
	assert_non_null(strstr(svg, "plafond de 2020<"));
	assert_non_null(strstr(svg, "absent de A (entre)"));
	free(svg);
	snprintf(out, sizeof(out), "%s/w.svg", dir);
	render(P304_CHART_WATERFALL, P304_FORMAT_SVG, cmp, out, "77", NULL);
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, ">enveloppe<"));
	assert_non_null(strstr(svg, "données"));
	assert_null(strstr(svg, ">envelope<"));
	free(svg);
	/* a change map: the entrant (no change in %) is a grey tile, named */
	snprintf(out, sizeof(out), "%s/mc.svg", dir);
	render(P304_CHART_MAP, P304_FORMAT_SVG, cmp, out, NULL, "change");
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, ">49<"));
	assert_non_null(strstr(svg, "absente de A ou de B"));
	free(svg);
	/* an amount is not cut at the end of a title line */
	{
		char json[1024], a_title[128];

		memset(a_title, 'a', 89);
		snprintf(a_title + 89, sizeof(a_title) - 89, " 4 500 000 €");
		snprintf(json, sizeof(json),
			 "{\"a\": \"x\", \"b\": \"y\", \"a_title\": \"%s\", \"b_title\": \"B\",\n"
			 " \"rows\": [{\"code\": \"77\", \"name\": \"S\", \"a_eur\": 300, \"b_eur\": 250,"
			 " \"delta_eur\": -50}]}\n", a_title);
		snprintf(out, sizeof(out), "%s/c3.svg", dir);
		render(P304_CHART_COMPARE, P304_FORMAT_SVG, put("comparaison3.json", json), out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "4 500 000 €"));
		free(svg);
	}
	/* a participant without an answer has no need bar: the chart says why */
	snprintf(out, sizeof(out), "%s/r.svg", dir);
	render(P304_CHART_RECONCILE, P304_FORMAT_SVG, put("notification2.json",
		"{\"id\": \"n\", \"title\": \"N\", \"unallocated_eur\": 10, \"policy\": {},\n"
		" \"rows\": [{\"code\": \"49\", \"prenotified_eur\": 100, \"need_eur\": null, \"notified_eur\": 0,"
		" \"reason\": \"no_answer\"},\n"
		"          {\"code\": \"77\", \"prenotified_eur\": 100, \"need_eur\": 90, \"notified_eur\": 90,"
		" \"reason\": \"need_below\"}]}\n"), out, NULL, NULL);
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, "sans\xC2\xA0réponse")); /* data tokens keep U+00A0 */
	free(svg);
	/* the sweep's whiskers run from min to max: given as a half-width
	 * (x:y:dy), the row (min 1, max 9) drew from -8 to 10 */
	{
		const char *sw = put("sweep2.json",
			"{\"id\": \"s\", \"title\": \"S\", \"samples\": 10, \"tornado\": [],\n"
			" \"rows\": [{\"code\": \"49\", \"base_eur\": 5000000, \"min_eur\": 1000000, \"p5_eur\": 2000000,"
			" \"median_eur\": 5000000, \"p95_eur\": 8000000, \"max_eur\": 9000000}]}\n");

		snprintf(out, sizeof(out), "%s/s2.svg", dir);
		render(P304_CHART_SWEEP, P304_FORMAT_SVG, sw, out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, ">9,0<"));
		assert_null(strstr(svg, ">-"));
		free(svg);
	}
}

/* Issue 12: a title that starts with an apostrophe ('Hypothèse haute' 2025)
 * made every chart fail ("gnuplot failed": gnuplot misreads a doubled quote
 * at the start of a single-quoted string); a backslash, a newline and
 * enhanced-text characters print as they are. */
#define TT "\"'Hypothèse haute' 2025 \\\\ @x ^{y} _z ~w\\nsuite'\""
static void test_title_characters(void **state)
{
	const char *res = put("apos-r.json",
		"{\"id\": \"t\", \"title\": " TT ", \"criteria\": [{\"column\": \"enfants_0_19\", \"source\": " TT "}],\n"
		" \"rows\": [{\"code\": \"49\", \"name\": \"Maine-et-Loire\", \"amount_eur\": 1500000, \"criteria\": {\"enfants_0_19\": 2}},\n"
		"          {\"code\": \"95\", \"name\": \"Val-d'Oise\", \"amount_eur\": 900000, \"criteria\": {\"enfants_0_19\": 3}}]}\n");
	const char *cmp = put("apos-c.json",
		"{\"a\": \"x\", \"b\": \"y\", \"a_title\": " TT ", \"b_title\": " TT ", \"decomposed\": true,\n"
		" \"factors\": [\"envelope\"], \"rows\": [{\"code\": \"95\", \"name\": \"Val-d'Oise\", \"a_eur\": 100,"
		" \"b_eur\": 150, \"delta_eur\": 50, \"delta_pct\": 50, \"contrib_eur\": {\"envelope\": 50}}]}\n");
	const char *nt = put("apos-n.json",
		"{\"id\": \"n\", \"title\": " TT ", \"unallocated_eur\": 10, \"policy\": {},\n"
		" \"rows\": [{\"code\": \"95\", \"name\": \"Val-d'Oise\", \"prenotified_eur\": 100, \"need_eur\": 90,"
		" \"notified_eur\": 90}]}\n");
	const char *sw = put("apos-s.json",
		"{\"id\": \"s\", \"title\": " TT ", \"samples\": 10, \"tornado\": [{\"factor\": \"data:x'y\", \"spread_eur\": 5}],\n"
		" \"rows\": [{\"code\": \"95\", \"name\": \"Val-d'Oise\", \"base_eur\": 5, \"min_eur\": 1, \"p5_eur\": 2,"
		" \"median_eur\": 5, \"p95_eur\": 8, \"max_eur\": 9}]}\n");
	char out[160], *svg;
	size_t len;

	(void)state;
	snprintf(out, sizeof(out), "%s/apos.svg", dir);
	render(P304_CHART_BARS, P304_FORMAT_SVG, res, out, NULL, NULL);
	svg = slurp(out, &len);
	assert_true(strstr(svg, "'Hypothèse haute' 2025") || strstr(svg, "&apos;Hypothèse haute&apos; 2025"));
	assert_non_null(strstr(svg, "\\ @x ^{y} _z ~w suite"));
	free(svg);
	render(P304_CHART_MAP, P304_FORMAT_PNG, res, out, NULL, NULL);
	render(P304_CHART_COMPARE, P304_FORMAT_PNG, cmp, out, NULL, NULL);
	render(P304_CHART_WATERFALL, P304_FORMAT_PNG, cmp, out, "95", NULL);
	render(P304_CHART_RECONCILE, P304_FORMAT_PNG, nt, out, NULL, NULL);
	render(P304_CHART_SWEEP, P304_FORMAT_PNG, sw, out, NULL, NULL);
}
#undef TT
/* What an existing file may be replaced by a chart (issue 12): a chart of
 * the same format yes; the result it is drawn from never, even with force;
 * any other file only with force; a device never. */
static void test_overwrite_rules(void **state)
{
	const char *res = put("overwrite.json", RESULT), *notes = put("notes.png", "mes notes\n");
	p304_chart_request req = { .kind = P304_CHART_BARS, .format = P304_FORMAT_PNG,
		.result_path = res, .tiles_path = tiles };
	char out[160], *text;
	size_t len;
	p304_error err;

	(void)state;
	snprintf(out, sizeof(out), "%s/rules.png", dir);
	req.out_path = out;
	assert_int_equal(p304_chart_render(&req, &err), P304_OK);
	assert_int_equal(p304_chart_render(&req, &err), P304_OK); /* a PNG over a PNG */
	req.format = P304_FORMAT_SVG;
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_IO); /* an SVG over a PNG */
	assert_non_null(strstr(err.message, "is not a SVG chart"));
	req.format = P304_FORMAT_PNG;
	req.out_path = res;
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_IO);
	assert_non_null(strstr(err.message, "drawn from"));
	req.force = 1;
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_IO);
	text = slurp(res, &len);
	assert_string_equal(text, RESULT);
	free(text);
	req.force = 0;
	req.out_path = notes;
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_IO);
	text = slurp(notes, &len);
	assert_string_equal(text, "mes notes\n");
	free(text);
	req.force = 1;
	assert_int_equal(p304_chart_render(&req, &err), P304_OK);
	check_png(notes, 1400, 800);
	req.out_path = "/dev/null";
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_other_results),
		cmocka_unit_test(test_readable_labels),
		cmocka_unit_test(test_title_characters),
		cmocka_unit_test(test_overwrite_rules),
	};
	const char *root = getenv("P304_ROOT");

	snprintf(tiles, sizeof(tiles), "%s/inputs/reference/tuiles.csv", root ? root : ".");
	snprintf(dir, sizeof(dir), "/tmp/p304-chart-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	{
		int failed = cmocka_run_group_tests_name("chart", tests, NULL, NULL);
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
		return failed;
	}
}
