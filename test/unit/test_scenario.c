/*
 * test_scenario.c - the scenario reader: the contract keys, defaults, and
 * every refusal with the line it points at.
 */
#include "testutil.h"

#include <p304/io.h>

#define CRIT "\"criteria\": [{\"column\": \"a\", \"weight_pct\": 60}, " \
	     "{\"column\": \"b\", \"weight_pct\": 40}]"

static p304_scenario *load(const char *text, p304_error *err, p304_code *rc)
{
	const char *path = write_temp(".json", text, strlen(text));
	p304_scenario *sc = NULL;

	*rc = p304_scenario_load(path, "/ref.csv", &sc, err);
	unlink(path);
	return sc;
}

static void bad(const char *text, long line, const char *msg)
{
	p304_error err;
	p304_code rc;
	p304_scenario *sc = load(text, &err, &rc);

	assert_null(sc);
	assert_int_equal(rc, P304_ERR_INPUT);
	if (!strstr(err.message, msg))
		fail_msg("message '%s', expected '%s'", err.message, msg);
	if (line)
		assert_int_equal(err.line, line);
}

static void test_full(void **state)
{
	p304_error err;
	p304_code rc;
	p304_scenario *sc = load("{\n \"id\": \"x-1\", \"title\": \"T\",\n"
		" \"envelope_eur\": 50000000, \"data\": \"d.csv\",\n " CRIT ",\n"
		" \"floor_eur\": 600000, \"ceiling_eur\": null,\n"
		" \"participants\": [\"02\", \"2a\"], \"rounding_eur\": 100,\n"
		" \"missing\": \"exclude\", \"reference\": \"/r.csv\"}", &err, &rc);

	(void)state;
	if (!sc)
		fail_msg("%s", err.message);
	assert_string_equal(sc->id, "x-1");
	assert_true(sc->envelope_eur == 50000000);
	assert_true(sc->floor_eur == 600000);
	assert_true(sc->ceiling_eur == P304_NO_BOUND);
	assert_true(sc->rounding_eur == 100);
	assert_int_equal(sc->ncriteria, 2);
	assert_string_equal(sc->criteria[1].column, "b");
	assert_int_equal(sc->participants_kind, P304_PARTICIPANTS_LIST);
	assert_int_equal(sc->nparticipants, 2);
	assert_int_equal(sc->missing, P304_MISSING_EXCLUDE);
	assert_string_equal(sc->reference_path, "/r.csv");
	assert_non_null(strstr(sc->data_path, "/tmp/d.csv"));
	p304_scenario_free(sc);
}

static void test_defaults(void **state)
{
	p304_error err;
	p304_code rc;
	p304_scenario *sc = load("{\"id\": \"x\", \"envelope_eur\": 1000, \"data\": \"d.csv\", "
				 CRIT "}", &err, &rc);

	(void)state;
	assert_non_null(sc);
	assert_true(sc->floor_eur == P304_NO_BOUND && sc->ceiling_eur == P304_NO_BOUND);
	assert_true(sc->rounding_eur == 1);
	assert_int_equal(sc->participants_kind, P304_PARTICIPANTS_ALL);
	assert_string_equal(sc->reference_path, "/ref.csv");
	assert_string_equal(sc->title, "x");
	p304_scenario_free(sc);
}

static void test_refusals(void **state)
{
	(void)state;
	bad("{\"id\": \"x\",\n \"envelope_eur\": 1000, \"data\": \"d\", " CRIT ",\n \"floor_euro\": 5}",
	    3, "unknown key 'floor_euro' in the scenario; did you mean 'floor_eur'?");
	bad("{\"id\": \"x\", \"id\": \"y\", \"envelope_eur\": 1, \"data\": \"d\", " CRIT "}",
	    1, "key 'id' appears twice");
	bad("{\"id\": \"x\", \"envelope_eur\": \"50M\", \"data\": \"d\", " CRIT "}",
	    1, "'envelope_eur' is a string, expected a number of euros");
	bad("{\"id\": \"x\", \"envelope_eur\": 0, \"data\": \"d\", " CRIT "}",
	    1, "expected between 1 and 10^15 euros");
	bad("{\"id\": \"x\", \"envelope_eur\": -5, \"data\": \"d\", " CRIT "}",
	    1, "expected between 1 and 10^15 euros");
	bad("{\"id\": \"x\", \"envelope_eur\": 2e15, \"data\": \"d\", " CRIT "}",
	    1, "expected between 1 and 10^15 euros");
	bad("{\"id\": \"x\", \"envelope_eur\": 1e400, \"data\": \"d\", " CRIT "}",
	    1, "not a finite number");
	bad("{\"id\": \"x\", \"envelope_eur\": 10.5, \"data\": \"d\", " CRIT "}",
	    1, "expected whole euros");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\", \"criteria\": "
	    "[{\"column\": \"a\", \"weight_pct\": 59.9}, {\"column\": \"b\", \"weight_pct\": 40}]}",
	    1, "weights sum to 99.9 %, expected 100 %");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\", " CRIT
	    ", \"floor_eur\": 9, \"ceiling_eur\": 5}", 1, "floor_eur 9 is above ceiling_eur 5");
	bad("{\"id\": \"../x\", \"envelope_eur\": 10, \"data\": \"d\", " CRIT "}",
	    1, "it names the output folder");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\", " CRIT
	    ", \"participants\": [2, 3]}", 1, "participant 1 is a number, expected a code in quotes");
	bad("{\"id\": \"x\",\n\n \"envelope_eur\": 10,, }", 3, "invalid JSON at column");
	bad("[1, 2]", 1, "must be a JSON object");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\"}", 1, "key 'criteria' is missing");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\", \"criteria\": "
	    "[{\"column\": \"a\", \"weight\": 100}]}", 1, "did you mean 'weight_pct'?");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\", \"criteria\": "
	    "[{\"column\": \"a\", \"weight_pct\": 50}, {\"column\": \"a\", \"weight_pct\": 50}]}",
	    1, "column 'a' is used by two criteria");
	bad("{\"id\": \"x\", \"envelope_eur\": 10, \"data\": \"d\", " CRIT
	    ", \"missing\": \"zero\"}", 1, "'missing' must be \"error\" or \"exclude\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
