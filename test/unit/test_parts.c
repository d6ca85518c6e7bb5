/*
 * test_parts.c - the multipart part collector of the server
 * (src/server/parts.c, issue 19): the boundary read from Content-Type,
 * the closing boundary required, parts refused when repeated or unknown.
 */
#include "testutil.h"

#include "server/parts.h"

static const char *const NAMES[] = { "scenario", "needs", "caps", NULL };

static enum srv_parts_fault finish_with(const char *ct, const char *body)
{
	struct srv_parts p;
	enum srv_parts_fault f;

	srv_parts_init(&p, NAMES, ct);
	/* in chunks of 3 bytes: the tail is kept across calls */
	for (size_t i = 0; i < strlen(body); i += 3)
		srv_parts_raw(&p, body + i, strlen(body + i) < 3 ? strlen(body + i) : 3);
	f = srv_parts_finish(&p, 1);
	srv_parts_free(&p);
	return f;
}

static void closing_boundary(void **state)
{
	const char *ct = "multipart/form-data; boundary=abc";

	(void)state;
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--abc--\r\n"), SRV_PARTS_OK);
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--abc--"), SRV_PARTS_OK);
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--abc--\n"), SRV_PARTS_OK);
	/* cut anywhere in the close delimiter, or before it */
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--abc-"), SRV_PARTS_TRUNCATED);
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--abc"), SRV_PARTS_TRUNCATED);
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--ab"), SRV_PARTS_TRUNCATED);
	assert_int_equal(finish_with(ct, "--abc\r\n974;2787"), SRV_PARTS_TRUNCATED);
	/* an epilogue, or the delimiter inside a line, is not a close */
	assert_int_equal(finish_with(ct, "--abc\r\nx\r\n--abc--\r\nmore"), SRV_PARTS_TRUNCATED);
	assert_int_equal(finish_with(ct, "--abc\r\nx--abc--\r\n"), SRV_PARTS_TRUNCATED);
	/* quoted boundary, other parameters, case */
	assert_int_equal(finish_with("multipart/form-data; charset=x; BOUNDARY=\"a b\"",
				     "--a b\r\nx\r\n--a b--\r\n"), SRV_PARTS_OK);
	/* no boundary: never complete */
	assert_int_equal(finish_with("multipart/form-data", "--abc--\r\n"), SRV_PARTS_TRUNCATED);
	assert_int_equal(finish_with(NULL, "--abc--\r\n"), SRV_PARTS_TRUNCATED);
}

/* F6: the one Content-Type form both parsers read alike */
static void content_type_form(void **state)
{
	(void)state;
	assert_true(srv_parts_content_type_ok("multipart/form-data; boundary=----WebKitFormBoundaryx7"));
	assert_true(srv_parts_content_type_ok("multipart/form-data;boundary=abc"));
	assert_false(srv_parts_content_type_ok("MULTIPART/FORM-DATA; BOUNDARY=abc"));
	assert_false(srv_parts_content_type_ok("multipart/form-data; xboundary=ZZZ; boundary=AAA"));
	assert_false(srv_parts_content_type_ok("multipart/form-data; boundary=AAA; boundary=BBB"));
	assert_false(srv_parts_content_type_ok("multipart/form-data; boundary=\"a b\""));
	assert_false(srv_parts_content_type_ok("multipart/form-data; boundary="));
	assert_false(srv_parts_content_type_ok("multipart/form-data"));
	assert_false(srv_parts_content_type_ok(NULL));
}

/* LF-only line ends are named as such, not as an interrupted upload */
static void lf_only(void **state)
{
	const char *ct = "multipart/form-data; boundary=abc";
	struct srv_parts p;

	(void)state;
	srv_parts_init(&p, NAMES, ct);
	srv_parts_raw(&p, "--abc\nx\n--abc--\n", 17);
	assert_int_equal(srv_parts_finish(&p, 0), SRV_PARTS_LF_ONLY);
	srv_parts_free(&p);
	srv_parts_init(&p, NAMES, ct);
	srv_parts_raw(&p, "--abc\r", 6);
	srv_parts_raw(&p, "\nx", 2);
	assert_int_equal(srv_parts_finish(&p, 0), SRV_PARTS_TRUNCATED);
	srv_parts_free(&p);
	srv_parts_init(&p, NAMES, ct);
	assert_int_equal(srv_parts_add(&p, NULL, 0, "x", 1), -1);
	assert_int_equal(p.fault, SRV_PARTS_UNNAMED);
	srv_parts_free(&p);
}

static void parts_once_each(void **state)
{
	struct srv_parts p;

	(void)state;
	srv_parts_init(&p, NAMES, "multipart/form-data; boundary=b");
	assert_int_equal(srv_parts_add(&p, "needs", 0, "01;1", 4), 0);
	assert_int_equal(srv_parts_add(&p, "needs", 4, "500", 3), 0);
	assert_string_equal(p.data[1], "01;1500");
	assert_int_equal(srv_parts_add(&p, "caps", 0, "", 0), 0);
	assert_int_equal(p.seen[2], 1);
	assert_string_equal(p.data[2], "");
	/* a second 'needs' part starts again at offset 0 */
	assert_int_equal(srv_parts_add(&p, "needs", 0, "500000", 6), -1);
	assert_int_equal(p.fault, SRV_PARTS_DUPLICATE);
	assert_string_equal(p.fault_name, "needs");
	assert_string_equal(p.data[1], "01;1500");
	/* nothing more is taken once refused */
	assert_int_equal(srv_parts_add(&p, "scenario", 0, "{}", 2), -1);
	assert_int_equal(srv_parts_finish(&p, 1), SRV_PARTS_DUPLICATE);
	srv_parts_free(&p);

	srv_parts_init(&p, NAMES, "multipart/form-data; boundary=b");
	assert_int_equal(srv_parts_add(&p, "besoins", 0, "x", 1), -1);
	assert_int_equal(p.fault, SRV_PARTS_UNKNOWN);
	assert_string_equal(p.fault_name, "besoins");
	srv_parts_free(&p);

	/* a route without parts takes none */
	srv_parts_init(&p, NULL, "multipart/form-data; boundary=b");
	assert_int_equal(srv_parts_add(&p, "needs", 0, "x", 1), -1);
	assert_int_equal(p.fault, SRV_PARTS_UNKNOWN);
	srv_parts_free(&p);
}

static void parser_verdict_kept(void **state)
{
	struct srv_parts p;

	(void)state;
	srv_parts_init(&p, NAMES, "multipart/form-data; boundary=b");
	srv_parts_raw(&p, "--b\r\nx\r\n--b--\r\n", 15);
	/* libmicrohttpd said the body was incomplete: refused even so */
	assert_int_equal(srv_parts_finish(&p, 0), SRV_PARTS_TRUNCATED);
	srv_parts_free(&p);
}

/* The uploaded file's name is kept for messages (besoins-2026.csv, not the
 * part's besoins.csv): its last path component, never control characters
 * or bytes that are not UTF-8. */
static void uploaded_file_names(void **state)
{
	struct srv_parts p;

	(void)state;
	srv_parts_init(&p, NAMES, "multipart/form-data; boundary=b");
	srv_parts_filename(&p, "needs", "C:\\Budget\\besoins-2026.csv");
	assert_string_equal(p.filename[1], "besoins-2026.csv");
	srv_parts_filename(&p, "caps", "plafonds\nfaux.csv");
	assert_string_equal(p.filename[2], "");
	srv_parts_filename(&p, "caps", "plafonds\xe9.csv");
	assert_string_equal(p.filename[2], "");
	srv_parts_filename(&p, "caps", "plafonds-département.csv");
	assert_string_equal(p.filename[2], "plafonds-département.csv");
	srv_parts_filename(&p, "scenario", NULL);
	assert_string_equal(p.filename[0], "");
	srv_parts_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closing_boundary),
		cmocka_unit_test(parts_once_each),
		cmocka_unit_test(parser_verdict_kept),
		cmocka_unit_test(uploaded_file_names),
		cmocka_unit_test(content_type_form),
		cmocka_unit_test(lf_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
