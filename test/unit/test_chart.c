/*
 * test_chart.c - charts drawn by gnuplot: each kind renders; a PNG has its
 * signature and the expected size, an SVG parses and names the authorities,
 * a PDF starts with %PDF; titles with quotes, accents and an attempted
 * gnuplot command render literally and run nothing.
 */
#include "testutil.h"

#include <math.h>
#include <sys/stat.h>

#include <p304/chart.h>
#include "chart/chart_priv.h"

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
	check_png(out, 1400, 900);
	snprintf(out, sizeof(out), "%s/map.png", dir);
	render(P304_CHART_MAP, P304_FORMAT_PNG, res, out, NULL, "per_child");
	check_png(out, 1100, 1000);
	snprintf(out, sizeof(out), "%s/map.svg", dir);
	render(P304_CHART_MAP, P304_FORMAT_SVG, res, out, NULL, NULL);
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, "<svg"));
	assert_non_null(strstr(svg, "</svg>"));
	/* the overseas insets are named (973 by the result's name) */
	assert_non_null(strstr(svg, ">G<"));
	assert_non_null(strstr(svg, ">Martinique<"));
	assert_non_null(strstr(svg, "Paris et petite couronne"));
	/* the title is there literally, escaped for XML */
	assert_non_null(strstr(svg, "Haÿ-les-Roses"));
	free(svg);
	snprintf(out, sizeof(out), "%s/tiles.svg", dir);
	render(P304_CHART_TILES, P304_FORMAT_SVG, res, out, NULL, NULL);
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, ">973<"));
	assert_non_null(strstr(svg, ">2A<"));
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
	char out[160], *svg;
	size_t len;

	(void)state;
	snprintf(out, sizeof(out), "%s/c2.svg", dir);
	render(P304_CHART_COMPARE, P304_FORMAT_SVG, cmp, out, NULL, NULL);
	svg = slurp(out, &len);
	/* the two titles, which is the reference, entrants counted apart */
	assert_non_null(strstr(svg, "De « P304 2020"));
	assert_non_null(strstr(svg, "(A, référence)"));
	assert_non_null(strstr(svg, "plafond de 2020 » (B)"));
	assert_non_null(strstr(svg, "1 entre (absent de A)"));
	assert_null(strstr(svg, ">M<"));   /* an entrant is not a rise from 0 */
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
	render(P304_CHART_TILES, P304_FORMAT_SVG, cmp, out, NULL, "change");
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, ">49<"));
	assert_non_null(strstr(svg, "absente de A ou de B"));
	free(svg);
	render(P304_CHART_MAP, P304_FORMAT_SVG, cmp, out, NULL, "change");
	svg = slurp(out, &len);
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
		assert_non_null(strstr(svg, ">8 M€<"));
		assert_null(strstr(svg, ">-"));
		free(svg);
	}
}

/* ------------------------------------------------------------------ */
/* Every kind at 30 and at 99 participants (issue 16)                  */

/* The authorities of a 2025 round: 99 codes, as p304 writes them. */
static void code_at(int i, char *code, size_t size)
{
	static const char *const extra[] = { "6AE", "20R", "69D", "69M", "971", "972", "973", "974" };
	int k = 0;

	for (int d = 1; d <= 95; d++) {
		if (d == 20 || d == 67 || d == 68 || d == 69)
			continue;
		if (k++ == i) {
			snprintf(code, size, "%02d", d % 100);
			return;
		}
	}
	snprintf(code, size, "%s", extra[i - k]);
}

static void name_of(const char *code, char *name, size_t size)
{
	if (!strcmp(code, "48"))
		snprintf(name, size, "Lozère");
	else if (!strcmp(code, "95"))
		snprintf(name, size, "Val-d'Oise");
	else if (!strcmp(code, "69D"))
		snprintf(name, size, "Rhône (hors Métropole de Lyon)");
	else
		snprintf(name, size, "Département-%s", code);
}

/* Writes the four result files for n participants; Lozère (48), when
 * present, is the one outlier (+98 %). */
static void write_round(int n, const char *tag)
{
	char path[256], code[16], name[64];
	FILE *fp[4];
	static const char *const file[] = { "repartition", "comparaison", "notification", "sweep" };

	for (int f = 0; f < 4; f++) {
		snprintf(path, sizeof(path), "%s/%s-%s.json", dir, file[f], tag);
		assert_non_null(fp[f] = fopen(path, "w"));
	}
	fprintf(fp[0], "{\"id\": \"r\", \"title\": \"Tour %s – %d participants, plancher et plafond\",\n"
		"\"floor_eur\": 300000, \"ceiling_eur\": 2500000,\n"
		"\"criteria\": [{\"column\": \"enfants_0_19\", \"weight_pct\": 50, \"source\": \"INSEE\"},"
		" {\"column\": \"menages_pauvres\", \"weight_pct\": 50, \"source\": \"INSEE, Filosofi\"}],\n\"rows\": [", tag, n);
	fprintf(fp[1], "{\"a\": \"x\", \"b\": \"y\", \"a_title\": \"Référence %s\", \"b_title\": \"Variante %s\","
		" \"decomposed\": true,\n\"factors\": [\"envelope\", \"data:menages_pauvres\", \"bounds\"],\n\"rows\": [",
		tag, tag);
	fprintf(fp[2], "{\"id\": \"n\", \"title\": \"Notification %s\", \"unallocated_eur\": 12345, \"policy\": {},\n"
		"\"rows\": [", tag);
	fprintf(fp[3], "{\"id\": \"s\", \"title\": \"Sensibilité %s\", \"samples\": 1000,\n"
		"\"options\": {\"weight_points\": 2, \"data_pct\": 5, \"floor_min_eur\": 250000, \"floor_max_eur\": 350000,"
		" \"ceiling_min_eur\": null, \"ceiling_max_eur\": null},\n"
		"\"tornado\": [{\"factor\": \"floor\", \"spread_eur\": 40000}, {\"factor\": \"data:menages_pauvres\","
		" \"spread_eur\": 9000}, {\"factor\": \"weights\", \"spread_eur\": 4000}],\n\"rows\": [", tag);
	for (int i = 0; i < n; i++) {
		double a = 300000 + 21000.0 * i, b = a * (i % 3 ? 1.04 : 0.95), env = (b - a) / 2;
		const char *sep = i ? ",\n" : "";

		code_at(i, code, sizeof(code));
		name_of(code, name, sizeof(name));
		if (!strcmp(code, "48"))
			b = a * 1.98;
		b = round(b);
		fprintf(fp[0], "%s{\"code\": \"%s\", \"name\": \"%s\", \"amount_eur\": %.0f, \"status\": \"free\","
			" \"criteria\": {\"enfants_0_19\": %d}}", sep, code, name, a, 40000 + 997 * i);
		fprintf(fp[1], "%s{\"code\": \"%s\", \"name\": \"%s\", \"a_eur\": %.0f, \"b_eur\": %.0f, \"delta_eur\": %.0f,"
			" \"delta_pct\": %.2f, \"status_a\": \"free\", \"status_b\": \"free\", \"contrib_eur\":"
			" {\"envelope\": %.0f, \"data:menages_pauvres\": %.0f, \"bounds\": 0}}",
			sep, code, name, a, b, b - a, (b - a) / a * 100, round(env), b - a - round(env));
		fprintf(fp[2], "%s{\"code\": \"%s\", \"name\": \"%s\", \"prenotified_eur\": %.0f, \"need_eur\": %s,"
			" \"notified_eur\": %.0f, \"reason\": \"%s\"}", sep, code, name, a,
			i % 7 == 3 ? "null" : i % 2 ? "250000" : "900000", i % 7 == 3 ? 0 : i % 2 ? 250000 : a,
			i % 7 == 3 ? "no_answer" : "need_below");
		fprintf(fp[3], "%s{\"code\": \"%s\", \"name\": \"%s\", \"base_eur\": %.0f, \"min_eur\": %.0f, \"p5_eur\": %.0f,"
			" \"median_eur\": %.0f, \"p95_eur\": %.0f, \"max_eur\": %.0f}", sep, code, name, a, a * 0.9,
			a * 0.97, a, a * 1.03, a * 1.1);
	}
	fprintf(fp[0], "]}\n");
	fprintf(fp[1], "],\n\"totals\": {}}\n");
	fprintf(fp[2], "]}\n");
	fprintf(fp[3], "]}\n");
	for (int f = 0; f < 4; f++)
		fclose(fp[f]);
}

static char *script_of(p304_chart_kind kind, const char *result, const char *code, const char *value)
{
	p304_chart_request req = { .kind = kind, .result_path = result, .code = code, .map_value = value,
		.tiles_path = tiles };
	p304_error err;
	char *s = NULL;

	if (p304_chart_script(&req, "/dev/null", &s, &err) != P304_OK)
		fail_msg("script %d: %s", kind, err.message);
	return s;
}

static unsigned png_height(const char *path)
{
	size_t len;
	unsigned char *b = (unsigned char *)slurp(path, &len);
	unsigned h = (unsigned)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];

	free(b);
	return h;
}

static void test_every_kind_30_and_99(void **state)
{
	static const int sizes[] = { 30, 99 };

	(void)state;
	for (int z = 0; z < 2; z++) {
		int n = sizes[z];
		char tag[8], res[160], cmp[160], nt[160], sw[160], out[200], *svg, *sc;
		size_t len;

		snprintf(tag, sizeof(tag), "%d", n);
		write_round(n, tag);
		snprintf(res, sizeof(res), "%s/repartition-%s.json", dir, tag);
		snprintf(cmp, sizeof(cmp), "%s/comparaison-%s.json", dir, tag);
		snprintf(nt, sizeof(nt), "%s/notification-%s.json", dir, tag);
		snprintf(sw, sizeof(sw), "%s/sweep-%s.json", dir, tag);

		/* bars: every name, no code; horizontal beyond 30, tall
		 * enough for 99 readable rows */
		snprintf(out, sizeof(out), "%s/bars-%s.svg", dir, tag);
		render(P304_CHART_BARS, P304_FORMAT_SVG, res, out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "Département-01"));
		assert_non_null(strstr(svg, n == 99 ? "Val-d" : "Département-31"));
		assert_null(strstr(svg, ">01<"));
		free(svg);
		snprintf(out, sizeof(out), "%s/bars-%s.png", dir, tag);
		render(P304_CHART_BARS, P304_FORMAT_PNG, res, out, NULL, NULL);
		assert_true(n == 30 || png_height(out) >= 1600);
		sc = script_of(P304_CHART_BARS, res, NULL, NULL);
		assert_non_null(strstr(sc, n == 99 ? "with boxxyerror" : "with boxes"));
		free(sc);

		/* the outline map, three values; the tile map */
		snprintf(out, sizeof(out), "%s/map-%s.png", dir, tag);
		render(P304_CHART_MAP, P304_FORMAT_PNG, res, out, NULL, NULL);
		render(P304_CHART_MAP, P304_FORMAT_PNG, res, out, NULL, "per_child");
		render(P304_CHART_MAP, P304_FORMAT_PNG, cmp, out, NULL, "change");
		render(P304_CHART_TILES, P304_FORMAT_PNG, res, out, NULL, NULL);

		/* compare: the largest rises and falls, named, and no more
		 * than fit */
		snprintf(out, sizeof(out), "%s/compare-%s.svg", dir, tag);
		render(P304_CHART_COMPARE, P304_FORMAT_SVG, cmp, out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "(A, référence)"));
		assert_non_null(strstr(svg, n == 99 ? "Lozère" : "Département-"));
		assert_null(strstr(svg, ">01<"));
		free(svg);
		sc = script_of(P304_CHART_COMPARE, cmp, NULL, NULL);
		{
			/* at most 12 rises and 12 falls: rows of the datablock */
			const char *p = strstr(sc, "$D << EOD\n"), *e = strstr(sc, "\nEOD");
			int rows = 0;

			assert_non_null(p);
			for (; p && p < e; p = strchr(p + 1, '\n'))
				rows++;
			assert_true(rows - 1 <= 24);
		}
		free(sc);

		/* waterfall: factors in words, A and B named by their titles */
		snprintf(out, sizeof(out), "%s/waterfall-%s.svg", dir, tag);
		render(P304_CHART_WATERFALL, P304_FORMAT_SVG, cmp, out, "01", NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "données : ménages"));
		assert_null(strstr(svg, "menages_pauvres"));
		assert_non_null(strstr(svg, "Référence"));
		assert_non_null(strstr(svg, "Variante"));
		free(svg);

		/* reconcile, sweep, tornado */
		snprintf(out, sizeof(out), "%s/reconcile-%s.svg", dir, tag);
		render(P304_CHART_RECONCILE, P304_FORMAT_SVG, nt, out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "Département-01"));
		assert_non_null(strstr(svg, "sans\xC2\xA0réponse"));
		free(svg);
		snprintf(out, sizeof(out), "%s/sweep-%s.svg", dir, tag);
		render(P304_CHART_SWEEP, P304_FORMAT_SVG, sw, out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "pondérations ± 2 points"));
		assert_non_null(strstr(svg, "plancher tiré"));
		assert_non_null(strstr(svg, "350 000 €"));
		assert_non_null(strstr(svg, "Département-01"));
		free(svg);
		sc = script_of(P304_CHART_SWEEP, sw, NULL, NULL);
		assert_non_null(strstr(sc, "set xrange [0:"));
		free(sc);
		snprintf(out, sizeof(out), "%s/tornado-%s.svg", dir, tag);
		render(P304_CHART_TORNADO, P304_FORMAT_SVG, sw, out, NULL, NULL);
		svg = slurp(out, &len);
		assert_non_null(strstr(svg, "données\xC2\xA0:\xC2\xA0ménages\xC2\xA0pauvres"));
		assert_non_null(strstr(svg, "plancher"));
		free(svg);
		snprintf(out, sizeof(out), "%s/png-%s.png", dir, tag);
		render(P304_CHART_COMPARE, P304_FORMAT_PNG, cmp, out, NULL, NULL);
		render(P304_CHART_WATERFALL, P304_FORMAT_PNG, cmp, out, "01", NULL);
		render(P304_CHART_RECONCILE, P304_FORMAT_PNG, nt, out, NULL, NULL);
		render(P304_CHART_SWEEP, P304_FORMAT_PNG, sw, out, NULL, NULL);
		assert_true(n == 30 || png_height(out) >= 1600);
		render(P304_CHART_TORNADO, P304_FORMAT_PNG, sw, out, NULL, NULL);
	}
}

/* One outlier (Lozère +98 %) does not wash out the colour scale: the
 * scale stops at the 95th percentile, and the legend says so and names it. */
static void test_map_robust_scale(void **state)
{
	char cmp[160], out[200], *sc, *svg, *p;
	size_t len;
	double lo, hi;

	(void)state;
	write_round(99, "r");
	snprintf(cmp, sizeof(cmp), "%s/comparaison-r.json", dir);
	sc = script_of(P304_CHART_MAP, cmp, NULL, "change");
	assert_non_null(p = strstr(sc, "set cbrange ["));
	assert_int_equal(sscanf(p, "set cbrange [%lf:%lf]", &lo, &hi), 2);
	assert_true(hi < 10 && lo > -10);
	assert_non_null(strstr(sc, "bornée"));
	free(sc);
	snprintf(out, sizeof(out), "%s/robust.svg", dir);
	render(P304_CHART_MAP, P304_FORMAT_SVG, cmp, out, NULL, "change");
	svg = slurp(out, &len);
	assert_non_null(strstr(svg, "Lozère (+98"));
	/* every code once: Lozère's outline is drawn in one colour, Paris twice
	 * (the map and the enlarged inset) */
	assert_non_null(strstr(svg, "Paris et petite couronne"));
	free(svg);
}

/* The waterfall keeps room above its highest bar, so that the figure over
 * it stays inside the frame (it ran into the title); a malformed outline
 * table is refused with its file and line. */
static void test_waterfall_room_and_bad_outlines(void **state)
{
	char cmp[160], res[160], *sc, *p;
	double lo, hi, a, b;
	p304_chart_request req = { .kind = P304_CHART_MAP, .format = P304_FORMAT_PNG };
	p304_error err;

	(void)state;
	write_round(30, "w");
	snprintf(cmp, sizeof(cmp), "%s/comparaison-w.json", dir);
	sc = script_of(P304_CHART_WATERFALL, cmp, "01", NULL);
	assert_non_null(p = strstr(sc, "set yrange ["));
	assert_int_equal(sscanf(p, "set yrange [%lf:%lf]", &lo, &hi), 2);
	/* Département-01: A 300 000 €, B 285 000 € */
	a = 300000;
	b = 285000;
	assert_true(hi >= 1.1 * (a > b ? a : b));
	assert_true(lo <= 0);
	/* the two ends in the page's words, not « A (référence) » and « B » */
	assert_non_null(strstr(sc, "'Référence' 0"));
	assert_non_null(strstr(sc, "'Scénario' "));
	assert_null(strstr(sc, "A (r"));
	free(sc);

	snprintf(res, sizeof(res), "%s/repartition-w.json", dir);
	req.result_path = res;
	req.out_path = put("never.png", "");
	req.contours_path = put("contours-bad.csv", "code,anneau,x,y\n01,0,1.5,2\n01,0,abc,3\n");
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "not an outline point"));
	assert_int_equal(err.line, 3);
	req.contours_path = put("contours-cols.csv", "code;x;y\n01;1;2\n");
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_INPUT);
	assert_non_null(strstr(err.message, "'anneau'"));
}

/* Issue 12: a title that starts with an apostrophe ('Hypothèse haute' 2025)
 * made every chart fail ("gnuplot failed": gnuplot misreads a doubled quote
 * at the start of a single-quoted string); a backslash, a newline and
 * enhanced-text characters print as they are. */
#define TT "\"'Hypothèse haute' 2025 \\\\ @GPVAL_TERM ^{y} _z ~w\\nsuite'\""
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
	/* not expanded as a gnuplot macro (it was, after an apostrophe) */
	assert_non_null(strstr(svg, "\\ @GPVAL_TERM ^{y} _z ~w suite"));
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
	check_png(notes, 1400, 900);
	req.out_path = "/dev/null";
	assert_int_equal(p304_chart_render(&req, &err), P304_ERR_IO);
}

/* The chart prints a comparison's percentage as the page does: ties
 * (the JSON carries two decimals) away from zero (issue 21: +448,1 % in
 * the chart for +448,2 % in the table). */

static void test_pct_like_the_page(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(ch_pct(b, sizeof(b), 448.15, 1, 1), "+448,2\xC2\xA0%");
	assert_string_equal(ch_pct(b, sizeof(b), -448.15, 1, 1), "-448,2\xC2\xA0%");
	assert_string_equal(ch_pct(b, sizeof(b), 2.86, 1, 1), "+2,9\xC2\xA0%");
	assert_string_equal(ch_pct(b, sizeof(b), 0.04, 1, 0), "0,0\xC2\xA0%");
}

/* Every tick labelled with its own value: steps of 2,5 M€ keep their
 * decimal (they were printed "2 M€" and "8 M€" at 2,5 and 7,5 M€). */
static void test_eur_tics_exact(void **state)
{
	struct sbuf b = { 0 };

	(void)state;
	ch_eur_tics(&b, "x", 0, 10e6, 0);
	assert_non_null(b.s);
	assert_non_null(strstr(b.s, "'2,5 M€' 2500000.000000"));
	assert_non_null(strstr(b.s, "'7,5 M€' 7500000.000000"));
	assert_non_null(strstr(b.s, "'5 M€' 5000000.000000"));
	assert_non_null(strstr(b.s, "'10 M€' 10000000.000000"));
	free(b.s);
	b = (struct sbuf){ 0 };
	ch_eur_tics(&b, "x", 0, 40e6, 0);
	assert_non_null(strstr(b.s, "'10 M€' 10000000.000000"));
	free(b.s);
	b = (struct sbuf){ 0 };
	ch_eur_tics(&b, "y", 0, 110000, 0);
	assert_non_null(strstr(b.s, "'25 k€' 25000.000000"));
	free(b.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_other_results),
		cmocka_unit_test(test_readable_labels),
		cmocka_unit_test(test_title_characters),
		cmocka_unit_test(test_every_kind_30_and_99),
		cmocka_unit_test(test_map_robust_scale),
		cmocka_unit_test(test_waterfall_room_and_bad_outlines),
		cmocka_unit_test(test_overwrite_rules),
		cmocka_unit_test(test_pct_like_the_page),
		cmocka_unit_test(test_eur_tics_exact),
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
