/*
 * test_ledger.c - the campaign ledger (issue 22): append-only history with
 * supersession, a set recorded twice recognised, the migration from an
 * empty v1 file, damaged and foreign files refused and left untouched, and
 * the property test: on thousands of random histories the caps (2024 rule)
 * and the avenants equal a plain re-implementation of the two rules.
 */
#include "testutil.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <p304/ledger.h>

static char refpath[1024];
static char tmpdir[64];

static int setup(void **state)
{
	const char *root = getenv("P304_ROOT");

	(void)state;
	snprintf(refpath, sizeof(refpath), "%s/inputs/reference/collectivites.csv",
		 root && root[0] ? root : ".");
	/* many small files: on tmpfs when there is one (fsync is cheap) */
	snprintf(tmpdir, sizeof(tmpdir), "%s/p304-ledger-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *fresh(const char *name)
{
	static char p[8][256];
	static int k;
	char *s = p[k++ % 8];

	snprintf(s, 256, "%s/%s", tmpdir, name);
	unlink(s);
	{
		char w[300];

		snprintf(w, sizeof(w), "%s-wal", s);
		unlink(w);
		snprintf(w, sizeof(w), "%s-shm", s);
		unlink(w);
	}
	return s;
}

static p304_ledger_item item(const char *code, int year, p304_stage st, int64_t eur, long line)
{
	p304_ledger_item it = { .year = year, .stage = st, .amount_eur = eur, .line = line };

	snprintf(it.code, sizeof(it.code), "%s", code);
	return it;
}

static int count_entries(void *ctx, const p304_ledger_entry *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void test_append_supersede(void **state)
{
	p304_ledger *lg;
	p304_error err;
	p304_ledger_outcome o;
	p304_ledger_source src = { .kind = "import", .file = "a.csv", .sha256 = "00",
				   .set_key = "k1" };
	p304_ledger_item a[2] = { item("59", 2024, P304_STAGE_DELEGATED, 1000, 2),
				  item("62", 2024, P304_STAGE_DELEGATED, 2000, 3) };
	int64_t v;
	int n = 0;

	(void)state;
	assert_int_equal(p304_ledger_open(fresh("a.sqlite"), 0, &lg, &err), P304_ERR_IO);
	assert_int_equal(p304_ledger_open(fresh("a.sqlite"), 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &src, a, 2, &o, &err), P304_OK);
	assert_int_equal(o.added, 2);
	/* the same set again: recognised, nothing written */
	assert_int_equal(p304_ledger_append(lg, &src, a, 2, &o, &err), P304_OK);
	assert_int_equal(o.already, 1);
	assert_int_equal(o.added + o.superseded, 0);
	/* a correction of Nord: supersedes, Pas-de-Calais unchanged */
	a[0].amount_eur = 1500;
	src.set_key = "k2";
	assert_int_equal(p304_ledger_append(lg, &src, a, 2, &o, &err), P304_OK);
	assert_int_equal(o.superseded, 1);
	assert_int_equal(o.unchanged, 1);
	assert_int_equal(p304_ledger_current(lg, "59", 2024, P304_STAGE_DELEGATED, &v, &err), 1);
	assert_int_equal(v, 1500);
	assert_int_equal(p304_ledger_current(lg, "59", 2023, P304_STAGE_DELEGATED, &v, &err), 0);
	/* the history keeps both */
	assert_int_equal(p304_ledger_history(lg, "59", 0, count_entries, &n, &err), P304_OK);
	assert_int_equal(n, 2);
	/* two entries of one key in one batch: refused */
	a[1] = a[0];
	src.set_key = "k3";
	assert_int_equal(p304_ledger_append(lg, &src, a, 2, &o, &err), P304_ERR_INPUT);
	p304_ledger_close(lg);
}

/* The ILLUSTRATIF mark (the page labels such figures): by the comment or
 * the file name of the batch, for the stages and years asked only. */
static void test_illustrative(void **state)
{
	p304_ledger *lg;
	p304_error err;
	p304_ledger_outcome o;
	p304_ledger_source real = { .kind = "import", .file = "delegue-2024.csv", .sha256 = "01",
				    .set_key = "r1" };
	p304_ledger_source byname = { .kind = "import", .file = "consomme-2024-ILLUSTRATIF.csv",
				      .sha256 = "02", .set_key = "i1" };
	p304_ledger_source bycomment = { .kind = "import", .file = "delegue-2020.csv",
					 .sha256 = "03", .set_key = "i2", .comment = "Illustratif" };
	p304_ledger_item d = item("59", 2024, P304_STAGE_DELEGATED, 1000, 2);
	p304_ledger_item c = item("59", 2024, P304_STAGE_CONSUMED, 900, 2);
	p304_ledger_item d20 = item("59", 2020, P304_STAGE_DELEGATED, 800, 2);

	(void)state;
	assert_int_equal(p304_ledger_open(fresh("i.sqlite"), 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &real, &d, 1, &o, &err), P304_OK);
	assert_int_equal(p304_ledger_illustrative(lg, P304_STAGE_DELEGATED, P304_STAGE_CONSUMED,
						  2000, 2030, &err), 0);
	assert_int_equal(p304_ledger_append(lg, &byname, &c, 1, &o, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &bycomment, &d20, 1, &o, &err), P304_OK);
	assert_int_equal(p304_ledger_illustrative(lg, P304_STAGE_DELEGATED, P304_STAGE_DELEGATED,
						  2021, 2030, &err), 0);
	assert_int_equal(p304_ledger_illustrative(lg, P304_STAGE_DELEGATED, P304_STAGE_CONSUMED,
						  2024, 2024, &err), 1);
	assert_int_equal(p304_ledger_illustrative(lg, P304_STAGE_DELEGATED, P304_STAGE_DELEGATED,
						  2020, 2020, &err), 1);
	assert_int_equal(p304_ledger_illustrative(lg, P304_STAGE_NOTIFIED, P304_STAGE_NEED,
						  2000, 2030, &err), 0);
	p304_ledger_close(lg);
}

/* UPDATE and DELETE are refused by the file itself, whoever writes. */
static void test_append_only(void **state)
{
	const char *path = fresh("b.sqlite");
	p304_ledger *lg;
	p304_error err;
	p304_ledger_outcome o;
	p304_ledger_source src = { .kind = "import", .file = "a.csv", .sha256 = "00" };
	p304_ledger_item a = item("59", 2024, P304_STAGE_DELEGATED, 1000, 2);
	sqlite3 *db;

	(void)state;
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &src, &a, 1, &o, &err), P304_OK);
	p304_ledger_close(lg);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE entry SET amount_eur = 1", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM entry", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM batch", NULL, NULL, NULL), SQLITE_OK);
	/* STRICT: a text amount is refused */
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO entry (batch, code, year, stage,"
					  " amount_eur, line) VALUES (1, '59', 2025, 'consumed',"
					  " 'beaucoup', 1)", NULL, NULL, NULL), SQLITE_OK);
	/* foreign keys are the connection's: p304 turns them on (checked
	 * through a batch that does not exist) */
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO entry (batch, code, year, stage,"
					  " amount_eur, line) VALUES (99, '59', 2025, 'consumed',"
					  " 5, 1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* An empty v1 file (as the first p304 with a ledger wrote it), with one
 * entry, is migrated to the current schema on open; the entry is kept. */
static void test_migration_from_v1(void **state)
{
	const char *path = fresh("v1.sqlite");
	char sql[128];
	sqlite3 *db;
	p304_ledger *lg;
	p304_error err;
	int64_t v;
	sqlite3_stmt *st;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, p304_ledger_migration_sql(1), NULL, NULL, NULL), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = 1; PRAGMA application_id = %d",
		 P304_LEDGER_APP_ID);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	/* the empty v1 file */
	assert_int_equal(p304_ledger_open(path, 0, &lg, &err), P304_OK);
	p304_ledger_close(lg);
	/* and a v1 file holding an entry */
	path = fresh("v1b.sqlite");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, p304_ledger_migration_sql(1), NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO batch (kind, file, sha256, version, at, who)"
				      " VALUES ('import', 'x.csv', '00', '0.1.0', '2025-01-01', 'a');"
				      "INSERT INTO entry (batch, code, year, stage, amount_eur, line)"
				      " VALUES (1, '49', 2023, 'delegated', 1835000, 2)",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(p304_ledger_open(path, 0, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_current(lg, "49", 2023, P304_STAGE_DELEGATED, &v, &err), 1);
	assert_int_equal(v, 1835000);
	p304_ledger_close(lg);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), P304_LEDGER_SCHEMA);
	sqlite3_finalize(st);
	/* the v2 objects exist */
	assert_int_equal(sqlite3_exec(db, "SELECT nentries FROM batch; SELECT * FROM current_entry",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void sha_of(const char *path, char hex[65])
{
	p304_error err;

	assert_int_equal(p304_sha256_file(path, hex, &err), P304_OK);
}

static void assert_refused_untouched(const char *path, const char *words)
{
	char before[65], after[65];
	p304_ledger *lg = NULL;
	p304_error err;

	sha_of(path, before);
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_ERR_INPUT);
	assert_null(lg);
	assert_non_null(strstr(err.message, words));
	sha_of(path, after);
	assert_string_equal(before, after);
}

static void test_damaged_and_foreign(void **state)
{
	const char *path = fresh("d.sqlite");
	p304_ledger *lg;
	p304_error err;
	p304_ledger_outcome o;
	p304_ledger_item *a = calloc(3000, sizeof(*a));
	p304_ledger_source src = { .kind = "import", .file = "a.csv", .sha256 = "00" };
	char code[8];
	FILE *fp;
	sqlite3 *db;
	p304_ledger_item one;
	int64_t v;

	(void)state;
	assert_non_null(a);
	for (int i = 0; i < 3000; i++) {
		snprintf(code, sizeof(code), "%d", 10 + i % 80);
		a[i] = item(code, 2000 + i / 80, P304_STAGE_CONSUMED, i, i + 2);
	}
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &src, a, 3000, &o, &err), P304_OK);
	free(a);
	p304_ledger_close(lg); /* checkpoints the WAL into the file */
	/* garbage over the middle of the file: b-tree pages */
	fp = fopen(path, "r+b");
	assert_non_null(fp);
	fseek(fp, 3 * 4096 + 8, SEEK_SET);
	for (int i = 0; i < 2000; i++)
		fputc(0xA5 ^ i, fp);
	fclose(fp);
	assert_refused_untouched(path, "damaged");
	/* a text file, and a CSV named like a ledger */
	path = fresh("text.sqlite");
	fp = fopen(path, "wb");
	fputs("code;delegue_eur\n59;1000\n", fp);
	fclose(fp);
	assert_refused_untouched(path, "not an SQLite file");
	/* another program's database */
	path = fresh("other.sqlite");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_refused_untouched(path, "not a p304 ledger");
	/* a ledger from a newer p304 (created by a first write) */
	path = fresh("newer.sqlite");
	one = item("59", 2024, P304_STAGE_DELEGATED, 1, 2);
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &src, &one, 1, &o, &err), P304_OK);
	p304_ledger_close(lg);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_refused_untouched(path, "newer p304");
	/* a sound ledger with another database's WAL beside it (a -wal left
	 * there under the same name): refused, and neither file written --
	 * closing the refused file used to checkpoint the foreign WAL into it */
	path = fresh("wal.sqlite");
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &src, &one, 1, &o, &err), P304_OK);
	p304_ledger_close(lg);
	{
		const char *other = fresh("other-wal.sqlite");
		char wal[300], dst[300], cmd[700];
		sqlite3 *odb;

		assert_int_equal(sqlite3_open(other, &odb), SQLITE_OK);
		assert_int_equal(sqlite3_exec(odb, "PRAGMA journal_mode = WAL; CREATE TABLE t (x);"
					      "INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
		/* copied while open: its WAL still holds the writes */
		snprintf(wal, sizeof(wal), "%s-wal", other);
		snprintf(dst, sizeof(dst), "%s-wal", path);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", wal, dst);
		assert_int_equal(system(cmd), 0);
		sqlite3_close(odb);
		assert_refused_untouched(path, "not a p304 ledger");
		/* the WAL taken away, the ledger is whole */
		unlink(dst);
		assert_int_equal(p304_ledger_open(path, 0, &lg, &err), P304_OK);
		assert_int_equal(p304_ledger_current(lg, "59", 2024, P304_STAGE_DELEGATED, &v, &err), 1);
		p304_ledger_close(lg);
	}
}

/* The plain re-implementation of the 2024 rule, over an event list. */
struct ev {
	int code, year;
	p304_stage stage;
	int64_t eur;
};

static int64_t model_current(const struct ev *ev, size_t n, int code, int year, p304_stage s)
{
	int64_t v = P304_NO_BOUND;

	for (size_t i = 0; i < n; i++)
		if (ev[i].code == code && ev[i].year == year && ev[i].stage == s)
			v = ev[i].eur; /* the last one written wins */
	return v;
}

#define NCODES 6
static const char *const CODES[NCODES] = { "02", "2A", "49", "59", "69M", "974" };

static void check_caps(p304_ledger *lg, const struct ev *ev, size_t n, int year)
{
	p304_ledger_cap *caps;
	size_t nc, k = 0;
	p304_error err;

	assert_int_equal(p304_ledger_caps(lg, year, &caps, &nc, &err), P304_OK);
	for (int c = 0; c < NCODES; c++) {
		int64_t d1 = model_current(ev, n, c, year - 1, P304_STAGE_DELEGATED);
		int64_t d2 = model_current(ev, n, c, year - 2, P304_STAGE_DELEGATED);
		int64_t want = d1 > 0 ? d1 : d2 > 0 ? d2 : P304_NO_BOUND;
		int from = d1 > 0 ? year - 1 : d2 > 0 ? year - 2 : 0;

		if (d1 == P304_NO_BOUND && d2 == P304_NO_BOUND)
			continue; /* not listed at all */
		assert_true(k < nc);
		assert_string_equal(caps[k].code, CODES[c]);
		assert_int_equal(caps[k].cap_eur, want);
		assert_int_equal(caps[k].from_year, from);
		k++;
	}
	assert_int_equal(k, nc);
	free(caps);
}

static void check_avenant(p304_ledger *lg, p304_reference *ref, const struct ev *ev, size_t n,
			  int year, int rate_bp)
{
	p304_avenant_result *av = NULL;
	p304_error err;
	size_t k = 0;
	p304_code rc = p304_ledger_avenant(lg, ref, year, P304_AVENANT_REDUCE_UNCONSUMED, rate_bp,
					   &av, &err);
	int any = 0;

	for (int c = 0; c < NCODES; c++)
		any |= model_current(ev, n, c, year, P304_STAGE_DELEGATED) != P304_NO_BOUND;
	if (!any) {
		assert_int_equal(rc, P304_ERR_INPUT);
		return;
	}
	assert_int_equal(rc, P304_OK);
	for (int c = 0; c < NCODES; c++) {
		int64_t d = model_current(ev, n, c, year, P304_STAGE_DELEGATED);
		int64_t u = model_current(ev, n, c, year, P304_STAGE_CONSUMED);
		int64_t next;

		if (d == P304_NO_BOUND)
			continue;
		/* instruction 2025/60: the unconsumed part (× rate) is taken back;
		 * no report, nothing taken back */
		if (u == P304_NO_BOUND || u >= d)
			next = d;
		else
			next = d - (int64_t)((__int128)(d - u) * rate_bp / 10000);
		assert_true(k < av->nlines);
		assert_string_equal(av->lines[k].auth->code, CODES[c]);
		assert_int_equal(av->lines[k].row.next_eur, next);
		k++;
	}
	assert_int_equal(k, av->nlines);
	p304_avenant_result_free(av);
}

static void test_property_rules(void **state)
{
	uint64_t seed = 0x5EED22;
	p304_reference *ref;
	p304_error err;
	int histories = getenv("P304_LEDGER_HISTORIES") ? atoi(getenv("P304_LEDGER_HISTORIES")) : 2000;

	(void)state;
	assert_int_equal(p304_reference_load(refpath, &ref, &err), P304_OK);
	for (int h = 0; h < histories; h++) {
		struct ev ev[40];
		size_t n = (size_t)rng_range(&seed, 0, 40);
		p304_ledger *lg;
		p304_ledger_outcome o;
		char key[32];

		assert_int_equal(p304_ledger_open(fresh("p.sqlite"), 1, &lg, &err), P304_OK);
		/* a random history in a few batches, corrections included (the
		 * same key again with another amount, 0 = not funded) */
		for (size_t i = 0; i < n;) {
			size_t nb = (size_t)rng_range(&seed, 1, 6);
			p304_ledger_item it[6];
			size_t m = 0;
			p304_ledger_source src = { .kind = "import", .file = "h.csv", .sha256 = "00",
						   .set_key = key };

			for (size_t j = 0; j < nb && i < n; j++, i++) {
				int dup = 0;

				ev[i].code = (int)rng_range(&seed, 0, NCODES - 1);
				ev[i].year = (int)rng_range(&seed, 2020, 2026);
				ev[i].stage = rng_range(&seed, 0, 2) ? P304_STAGE_DELEGATED
								     : P304_STAGE_CONSUMED;
				ev[i].eur = rng_range(&seed, 0, 5) == 0 ? 0 : rng_range(&seed, 0, 3000000);
				for (size_t q = 0; q < m; q++)
					dup |= strcmp(it[q].code, CODES[ev[i].code]) == 0 &&
					       it[q].year == ev[i].year && it[q].stage == ev[i].stage;
				if (dup) { /* one entry per key and batch: start another */
					j = nb;
					break;
				}
				it[m++] = item(CODES[ev[i].code], ev[i].year, ev[i].stage, ev[i].eur,
					       (long)i + 2);
			}
			snprintf(key, sizeof(key), "h%d-%zu", h, i);
			assert_int_equal(p304_ledger_append(lg, &src, it, m, &o, &err), P304_OK);
		}
		check_caps(lg, ev, n, (int)rng_range(&seed, 2021, 2028));
		check_avenant(lg, ref, ev, n, (int)rng_range(&seed, 2020, 2026),
			      (int)rng_range(&seed, 0, 10000));
		p304_ledger_close(lg);
	}
	p304_reference_free(ref);
}

static void test_cap_rule(void **state)
{
	int64_t cap;
	int from;

	(void)state;
	/* instruction 2024/72: delegated in 2023, else 2022, else none */
	p304_cap_rule(2024, 1835000, 1000, &cap, &from);
	assert_int_equal(cap, 1835000);
	assert_int_equal(from, 2023);
	p304_cap_rule(2024, P304_NO_BOUND, 900000, &cap, &from);
	assert_int_equal(cap, 900000);
	assert_int_equal(from, 2022);
	/* « non financées en 2023 »: 0 delegated is not funded */
	p304_cap_rule(2024, 0, 900000, &cap, &from);
	assert_int_equal(cap, 900000);
	p304_cap_rule(2024, P304_NO_BOUND, P304_NO_BOUND, &cap, &from);
	assert_int_equal(cap, P304_NO_BOUND);
	assert_int_equal(from, 0);
}

static void test_import_refusals(void **state)
{
	p304_ledger *lg;
	p304_reference *ref;
	p304_error err;
	p304_ledger_outcome o;
	const char *path = fresh("i.sqlite");
	const char *bad[] = {
		"Code;Montant délégué (€)\n59;1 000 000\n99X;5\n",   /* unknown code */
		"Code;Montant délégué (€)\n59;1 000 000\n62;1.500.000\n", /* ambiguous */
		"Code;Montant délégué (€)\n59;1 000 000\n59;7\n",   /* duplicate */
		"Code;Montant délégué (€)\n59;\n",                 /* empty */
		"Code;Montant\n59;5\n",                             /* no such column */
	};
	const char *ok = "Département;Délégué 2024\n59;1 835 000 €\n2a;12\n";
	char before[65], after[65];
	int64_t v;

	(void)state;
	assert_int_equal(p304_reference_load(refpath, &ref, &err), P304_OK);
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_import_buffer(lg, ref, "ok.csv", ok, strlen(ok),
		P304_STAGE_DELEGATED, 2024, NULL, &o, &err), P304_OK);
	assert_int_equal(o.added, 2);
	assert_int_equal(p304_ledger_current(lg, "2A", 2024, P304_STAGE_DELEGATED, &v, &err), 1);
	p304_ledger_close(lg);
	sha_of(path, before);
	assert_int_equal(p304_ledger_open(path, 0, &lg, &err), P304_OK);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(p304_ledger_import_buffer(lg, ref, "bad.csv", bad[k], strlen(bad[k]),
							   P304_STAGE_DELEGATED, 2025, NULL, &o, &err),
				 P304_ERR_INPUT);
		assert_string_equal(err.file, "bad.csv");
	}
	assert_int_equal(p304_ledger_current(lg, "59", 2025, P304_STAGE_DELEGATED, &v, &err), 0);
	p304_ledger_close(lg);
	sha_of(path, after);
	assert_string_equal(before, after);
	p304_reference_free(ref);
}

/* The digest the note and the sheets read (issue 22): current amounts
 * after a correction, the origin file without its folders (a result set by
 * its folder), ILLUSTRATIF from the batch's comment, the latest time; the
 * year's totals, consumption rate terms and under-consumers. */
static void test_digest(void **state)
{
	p304_ledger *lg;
	p304_ledger_digest *d;
	p304_ledger_year_totals t;
	p304_ledger_outcome o;
	p304_error err;
	p304_ledger_source del = { .kind = "import", .file = "in/delegue-2024.csv", .sha256 = "01",
				   .set_key = "d" };
	p304_ledger_source con = { .kind = "import", .file = "/x/consomme-2024.csv", .sha256 = "02",
				   .set_key = "c", .comment = "ILLUSTRATIF" };
	/* marked by its file name only, in lower case: still ILLUSTRATIF */
	p304_ledger_source cor = { .kind = "import", .file = "correction-illustratif.csv",
				   .sha256 = "03", .set_key = "k" };
	p304_ledger_source set = { .kind = "record", .file = "out/2024-x/repartition.json",
				   .sha256 = "04", .set_key = "s" };
	p304_ledger_item a[4] = { item("49", 2024, P304_STAGE_DELEGATED, 1835000, 2),
				  item("59", 2024, P304_STAGE_DELEGATED, 3200000, 3),
				  item("62", 2024, P304_STAGE_DELEGATED, 1100000, 4),
				  /* not funded: expects no report */
				  item("01", 2024, P304_STAGE_DELEGATED, 0, 5) };
	p304_ledger_item c[2] = { item("49", 2024, P304_STAGE_CONSUMED, 1500000, 2),
				  item("59", 2024, P304_STAGE_CONSUMED, 3200000, 3) };
	p304_ledger_item k = item("49", 2024, P304_STAGE_CONSUMED, 1600000, 2);
	p304_ledger_item pre = item("49", 2025, P304_STAGE_PRENOTIFIED, 1700000, 1);
	const p304_ledger_cell *cl;
	long r;

	(void)state;
	setenv("SOURCE_DATE_EPOCH", "1764950400", 1);
	assert_int_equal(p304_ledger_open(fresh("d.sqlite"), 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &del, a, 4, &o, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &con, c, 2, &o, &err), P304_OK);
	setenv("SOURCE_DATE_EPOCH", "1765036800", 1);
	assert_int_equal(p304_ledger_append(lg, &cor, &k, 1, &o, &err), P304_OK);
	assert_int_equal(p304_ledger_append(lg, &set, &pre, 1, &o, &err), P304_OK);
	unsetenv("SOURCE_DATE_EPOCH");

	/* years 2023..2024: 2025's pre-notification left out */
	assert_int_equal(p304_ledger_digest_make(lg, 2023, 2024, &d, &err), P304_OK);
	assert_string_equal(d->ledger, "d.sqlite");
	assert_int_equal(d->year0, 2023);
	assert_int_equal(d->nyears, 2);
	assert_int_equal(d->nrows, 4);
	assert_string_equal(d->at, "2025-12-06T16:00:00Z");
	assert_true(d->illustrative);
	assert_int_equal(r = p304_ledger_digest_row(d, "49"), 1);
	assert_int_equal(p304_ledger_digest_row(d, "02"), -1);
	cl = p304_ledger_digest_cell(d, (size_t)r, 2024, P304_STAGE_CONSUMED);
	assert_int_equal(cl->amount_eur, 1600000);   /* the correction */
	assert_string_equal(d->files[cl->file], "correction-illustratif.csv");
	assert_true(cl->illustrative);
	cl = p304_ledger_digest_cell(d, (size_t)r, 2024, P304_STAGE_DELEGATED);
	assert_false(cl->illustrative);
	cl = p304_ledger_digest_cell(d, 2, 2024, P304_STAGE_CONSUMED);
	assert_string_equal(d->files[cl->file], "consomme-2024.csv");
	assert_true(cl->illustrative);
	cl = p304_ledger_digest_cell(d, (size_t)r, 2024, P304_STAGE_DELEGATED);
	assert_string_equal(d->files[cl->file], "delegue-2024.csv");
	assert_int_equal(p304_ledger_digest_cell(d, (size_t)r, 2023, P304_STAGE_DELEGATED)->amount_eur,
			 P304_LEDGER_NONE);
	assert_null(p304_ledger_digest_cell(d, (size_t)r, 2025, P304_STAGE_DELEGATED));

	p304_ledger_year_totals_of(d, 2024, &t);
	assert_int_equal(t.total[P304_STAGE_DELEGATED], 6135000);
	assert_int_equal(t.count[P304_STAGE_DELEGATED], 4);
	assert_int_equal(t.n_funded, 3);
	assert_int_equal(t.total[P304_STAGE_CONSUMED], 4800000);
	assert_int_equal(t.delegated_reported, 5035000);   /* 62 sent no report */
	assert_int_equal(t.consumed_reported, 4800000);
	assert_int_equal(t.n_reported, 2);
	assert_int_equal(t.n_under, 1);                     /* 49: 1.6 M of 1.835 M */
	assert_int_equal(t.n_no_report, 1);
	assert_true(t.illustrative);
	assert_true(p304_ledger_year_executed(d, 2024));
	assert_false(p304_ledger_year_executed(d, 2023));
	p304_ledger_digest_free(d);

	/* every year: 2024 and 2025; the set named by its folder */
	assert_int_equal(p304_ledger_digest_make(lg, 0, 0, &d, &err), P304_OK);
	assert_int_equal(d->year0, 2024);
	assert_int_equal(d->nyears, 2);
	cl = p304_ledger_digest_cell(d, 1, 2025, P304_STAGE_PRENOTIFIED);
	assert_int_equal(cl->amount_eur, 1700000);
	assert_string_equal(d->files[cl->file], "2024-x/repartition.json");
	assert_false(p304_ledger_year_executed(d, 2025));
	p304_ledger_digest_free(d);
	p304_ledger_close(lg);

	/* an empty ledger: no row, no year */
	assert_int_equal(p304_ledger_open(fresh("e.sqlite"), 1, &lg, &err), P304_OK);
	assert_int_equal(p304_ledger_digest_make(lg, 0, 0, &d, &err), P304_OK);
	assert_int_equal(d->nrows, 0);
	assert_int_equal(d->nyears, 0);
	assert_false(p304_ledger_year_executed(d, 2024));
	p304_ledger_digest_free(d);
	p304_ledger_close(lg);
}

/* The campaign year of a scenario: its id first, then its title. */
static void test_campaign_year(void **state)
{
	(void)state;
	assert_int_equal(p304_campaign_year("2020-vague1", NULL), 2020);
	assert_int_equal(p304_campaign_year("2025-avec-bornes-2020", "x"), 2025);
	assert_int_equal(p304_campaign_year("fir-2020", NULL), 2020);
	assert_int_equal(p304_campaign_year("essai", "P304 2024 – national"), 2024);
	assert_int_equal(p304_campaign_year("n", "Cas de test"), 0);
	/* not a year: more digits, or outside 1990 .. 2099 */
	assert_int_equal(p304_campaign_year("v12025", "20250"), 0);
	assert_int_equal(p304_campaign_year("1800-x", "3000"), 0);
	assert_int_equal(p304_campaign_year("id-1234-2023", NULL), 2023);
	assert_int_equal(p304_campaign_year(NULL, NULL), 0);
	assert_int_equal(p304_campaign_year("202", "2"), 0);
}

/* A ledger opened to be created exists only from its first write: a refused
 * first import leaves no file, and no one has to delete one afterwards (the
 * command line deleted the file its refused import had created, with the
 * entries another process had written there meanwhile: a lost campaign). */
static void test_created_by_first_write(void **state)
{
	p304_ledger *lg, *other;
	p304_reference *ref;
	p304_error err;
	p304_ledger_outcome o;
	const char *path = fresh("lazy.sqlite");
	const char *bad = "Code;Montant délégué (€)\n59;12x\n";
	const char *ok = "Code;Montant délégué (€)\n59;100\n";
	const char *ok2 = "Code;Montant délégué (€)\n62;200\n";
	int64_t v;

	(void)state;
	assert_int_equal(p304_reference_load(refpath, &ref, &err), P304_OK);
	assert_int_equal(p304_ledger_open(path, 1, &lg, &err), P304_OK);
	assert_int_equal(access(path, F_OK), -1);
	/* the pending handle reads an empty ledger */
	assert_int_equal(p304_ledger_current(lg, "59", 2024, P304_STAGE_DELEGATED, &v, &err), 0);
	assert_int_equal(p304_ledger_import_buffer(lg, ref, "bad.csv", bad, strlen(bad),
		P304_STAGE_DELEGATED, 2024, NULL, &o, &err), P304_ERR_INPUT);
	assert_int_equal(access(path, F_OK), -1);
	/* another writer creates the file meanwhile: the first one joins it */
	assert_int_equal(p304_ledger_open(path, 1, &other, &err), P304_OK);
	assert_int_equal(p304_ledger_import_buffer(other, ref, "ok2.csv", ok2, strlen(ok2),
		P304_STAGE_DELEGATED, 2024, NULL, &o, &err), P304_OK);
	p304_ledger_close(other);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(p304_ledger_import_buffer(lg, ref, "ok.csv", ok, strlen(ok),
		P304_STAGE_DELEGATED, 2024, NULL, &o, &err), P304_OK);
	assert_int_equal(o.added, 1);
	assert_int_equal(p304_ledger_current(lg, "62", 2024, P304_STAGE_DELEGATED, &v, &err), 1);
	assert_int_equal(v, 200);
	p304_ledger_close(lg);
	p304_reference_free(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_supersede),
		cmocka_unit_test(test_append_only),
		cmocka_unit_test(test_illustrative),
		cmocka_unit_test(test_migration_from_v1),
		cmocka_unit_test(test_damaged_and_foreign),
		cmocka_unit_test(test_cap_rule),
		cmocka_unit_test(test_import_refusals),
		cmocka_unit_test(test_created_by_first_write),
		cmocka_unit_test(test_property_rules),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_campaign_year),
	};

	return cmocka_run_group_tests_name("ledger", tests, setup, teardown);
}
