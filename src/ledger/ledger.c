/*
 * ledger.c - the campaign ledger's file (issue 22): SQLite (Debian's
 * libsqlite3), schema versioned by PRAGMA user_version and migrated forward
 * in one transaction, WAL, foreign keys, STRICT tables, integer euros.
 * Append-only: triggers refuse UPDATE and DELETE, a correction is a new
 * entry that supersedes the current one. A file that is not ours or is
 * damaged is refused before anything is written to it.
 */
#include "ledger_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One migration per version: MIGRATIONS[v - 1] takes a file from v − 1 to
 * v. Never edit a published one; add the next. */
static const char *const MIGRATIONS[] = {
	/* v1: batches (where a group of entries came from) and entries */
	"CREATE TABLE batch ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" file TEXT NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" version TEXT NOT NULL,"
	" scenario TEXT,"
	" set_key TEXT UNIQUE,"
	" at TEXT NOT NULL,"
	" who TEXT NOT NULL,"
	" comment TEXT) STRICT;"
	"CREATE TABLE entry ("
	" id INTEGER PRIMARY KEY,"
	" batch INTEGER NOT NULL REFERENCES batch(id),"
	" code TEXT NOT NULL,"
	" year INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 2999),"
	" stage TEXT NOT NULL CHECK (stage IN ('prenotified','need','notified',"
	"  'delegated','consumed','avenant')),"
	" amount_eur INTEGER NOT NULL CHECK (amount_eur BETWEEN 0 AND 1000000000000000),"
	" line INTEGER NOT NULL,"
	" supersedes INTEGER REFERENCES entry(id)) STRICT;"
	"CREATE TRIGGER batch_append_only_u BEFORE UPDATE ON batch"
	" BEGIN SELECT RAISE(ABORT, 'p304 ledger is append-only'); END;"
	"CREATE TRIGGER batch_append_only_d BEFORE DELETE ON batch"
	" BEGIN SELECT RAISE(ABORT, 'p304 ledger is append-only'); END;"
	"CREATE TRIGGER entry_append_only_u BEFORE UPDATE ON entry"
	" BEGIN SELECT RAISE(ABORT, 'p304 ledger is append-only'); END;"
	"CREATE TRIGGER entry_append_only_d BEFORE DELETE ON entry"
	" BEGIN SELECT RAISE(ABORT, 'p304 ledger is append-only'); END;",
	/* v2: the count of each batch (a batch is whole or absent: the kill
	 * test checks it), the lookup index, and the current amounts as a view
	 * for whoever reads the file with sqlite3 */
	"ALTER TABLE batch ADD COLUMN nentries INTEGER;"
	"CREATE INDEX entry_key ON entry(code, year, stage, id);"
	"CREATE VIEW current_entry AS SELECT e.* FROM entry e"
	" WHERE e.id = (SELECT max(id) FROM entry f WHERE f.code = e.code"
	" AND f.year = e.year AND f.stage = e.stage);",
};

const char *p304_ledger_migration_sql(int version)
{
	if (version < 1 || version > P304_LEDGER_SCHEMA)
		return NULL;
	return MIGRATIONS[version - 1];
}

static const char *const STAGE_NAMES[P304_NSTAGES] = {
	"prenotified", "need", "notified", "delegated", "consumed", "avenant"
};
static const char *const STAGE_FR[P304_NSTAGES] = {
	"pré-notifié", "besoin exprimé", "notifié", "délégué", "consommé", "avenant"
};
/* French words accepted on the command line, accents folded */
static const char *const STAGE_ALIASES[][2] = {
	{ "prenotifie", "prenotified" }, { "pré-notifié", "prenotified" },
	{ "pre-notifie", "prenotified" }, { "besoin", "need" },
	{ "notifie", "notified" }, { "notifié", "notified" },
	{ "delegue", "delegated" }, { "délégué", "delegated" },
	{ "consomme", "consumed" }, { "consommé", "consumed" },
};

const char *p304_stage_name(p304_stage s)
{
	return (unsigned)s < P304_NSTAGES ? STAGE_NAMES[s] : "?";
}

const char *p304_stage_label_fr(p304_stage s)
{
	return (unsigned)s < P304_NSTAGES ? STAGE_FR[s] : "?";
}

int p304_stage_parse(const char *s)
{
	for (size_t a = 0; a < sizeof(STAGE_ALIASES) / sizeof(STAGE_ALIASES[0]); a++)
		if (strcmp(s, STAGE_ALIASES[a][0]) == 0)
			s = STAGE_ALIASES[a][1];
	for (int i = 0; i < P304_NSTAGES; i++)
		if (strcmp(s, STAGE_NAMES[i]) == 0)
			return i;
	return -1;
}

/* err from a result code ec (primary) and SQLite's message for it. */
static p304_code sql_error_of(p304_ledger *lg, int ec, const char *msg, int sys_errno,
			      p304_error *err)
{
	/* a full disk in the officer's words (strerror), not "disk I/O error" */
	if ((ec == SQLITE_FULL || ec == SQLITE_IOERR || ec == SQLITE_CANTOPEN) && sys_errno)
		msg = strerror(sys_errno);
	else if (ec == SQLITE_FULL)
		msg = strerror(ENOSPC);
	if (ec == SQLITE_NOMEM)
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	if (ec == SQLITE_BUSY || ec == SQLITE_LOCKED)
		return p304_error_set(err, P304_ERR_IO, lg->path, 0,
			_("the ledger is busy (another p304 is writing to it): try again"));
	if (ec == SQLITE_FULL || ec == SQLITE_IOERR || ec == SQLITE_READONLY ||
	    ec == SQLITE_CANTOPEN)
		return p304_error_set(err, P304_ERR_IO, lg->path, 0,
				      _("cannot write the ledger: %s"), msg);
	if (ec == SQLITE_CORRUPT || ec == SQLITE_NOTADB)
		return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
			_("the ledger is damaged (%s): restore it from a backup"), msg);
	return p304_error_set(err, P304_ERR_INTERNAL, lg->path, 0, _("ledger: %s"), msg);
}

p304_code lg_sql_error(p304_ledger *lg, p304_error *err)
{
	return sql_error_of(lg, sqlite3_errcode(lg->db) & 0xff, sqlite3_errmsg(lg->db),
			    sqlite3_system_errno(lg->db), err);
}

int lg_exec(p304_ledger *lg, const char *sql)
{
	return sqlite3_exec(lg->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

sqlite3_file *lg_file(p304_ledger *lg)
{
	sqlite3_file *f = NULL;

	if (sqlite3_file_control(lg->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
	    !f || !f->pMethods)
		return NULL;
	return f;
}

p304_code lg_sha256(p304_ledger *lg, char hex[65], p304_error *err)
{
	sqlite3_file *f = lg_file(lg);
	sqlite3_int64 size = 0;
	char *buf;
	p304_code rc;

	if (!f || f->pMethods->xFileSize(f, &size) != SQLITE_OK || size < 0)
		return p304_error_set(err, P304_ERR_IO, lg->path, 0, _("cannot read the ledger"));
	if (!(buf = malloc(size ? (size_t)size : 1)))
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	for (sqlite3_int64 o = 0; o < size; o += 65536) {
		int n = size - o < 65536 ? (int)(size - o) : 65536;

		if (f->pMethods->xRead(f, buf + o, n, o) != SQLITE_OK) {
			free(buf);
			return p304_error_set(err, P304_ERR_IO, lg->path, 0,
					      _("cannot read the ledger"));
		}
	}
	rc = p304_sha256_buffer(buf, (size_t)size, hex, err);
	free(buf);
	return rc;
}

/* One integer of a PRAGMA, or -1. */
static long long pragma_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* "ok" from PRAGMA quick_check, else the first problem into why. */
static int quick_check(sqlite3 *db, char *why, size_t size)
{
	sqlite3_stmt *st;
	int ok = 0;

	snprintf(why, size, "%s", "quick_check");
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK) {
		snprintf(why, size, "%s", sqlite3_errmsg(db));
		return 0;
	}
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		ok = t && strcmp(t, "ok") == 0;
		if (!ok)
			snprintf(why, size, "%s", t ? t : "?");
	} else {
		snprintf(why, size, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return ok;
}

/* Tables in the file (a fresh or empty database has none). */
static long long count_tables(sqlite3 *db)
{
	return pragma_int(db, "SELECT count(*) FROM sqlite_schema");
}

/* Refuses a file that is not a p304 ledger, is damaged or is newer; reads
 * only (nothing has been written when this fails). */
static p304_code check_existing(p304_ledger *lg, p304_error *err)
{
	long long app, ver, ntab;
	int ok, began, ec;
	char why[300];
	char head[16];
	size_t got = 0;
	sqlite3_int64 size = 0;
	sqlite3_file *f = lg_file(lg);

	/* through SQLite's own descriptor: an fopen/fclose here dropped the
	 * POSIX locks of every connection of the process to this file (the
	 * server's writer), and another process closing its connection then
	 * deleted the WAL the server was still committing into (issue 22) */
	if (f && f->pMethods->xFileSize(f, &size) == SQLITE_OK && size > 0) {
		got = size < 16 ? (size_t)size : 16;
		memset(head, 0, sizeof(head));
		f->pMethods->xRead(f, head, (int)got, 0);
	}
	if (got == 0)
		return P304_OK; /* an empty file: a new ledger */
	if (got < 16 || memcmp(head, "SQLite format 3", 16) != 0)
		return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
			_("not a p304 ledger (not an SQLite file); the file was left untouched"));
	/* one read snapshot: read one by one, another process creating the
	 * ledger at the same moment could commit between the two reads, and
	 * its tables would be seen without its application id (8 first imports
	 * at once refused one as "not a p304 ledger") */
	began = lg_exec(lg, "BEGIN") == 0;
	app = pragma_int(lg->db, "PRAGMA application_id");
	ntab = count_tables(lg->db);
	/* a file that cannot be read now (a full disk has no room for the
	 * WAL index, the file is locked) is not a damaged one: "restore it
	 * from a backup" would have the officer replace a good ledger */
	ec = app < 0 || ntab < 0 ? sqlite3_errcode(lg->db) & 0xff : SQLITE_OK;
	if (ec != SQLITE_OK && ec != SQLITE_CORRUPT && ec != SQLITE_NOTADB) {
		char msg[200];
		int sys = sqlite3_system_errno(lg->db);

		snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(lg->db));
		if (began)
			lg_exec(lg, "ROLLBACK");
		return sql_error_of(lg, ec, msg, sys, err);
	}
	ok = app >= 0 && ntab >= 0 && quick_check(lg->db, why, sizeof(why));
	ver = pragma_int(lg->db, "PRAGMA user_version");
	if (began)
		lg_exec(lg, "COMMIT");
	if (!ok)
		return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
			_("the ledger is damaged (%s); the file was left untouched: restore it "
			  "from a backup (p304 ledger backup)"), app < 0 || ntab < 0
			? sqlite3_errmsg(lg->db) : why);
	if (app != P304_LEDGER_APP_ID && !(app == 0 && ntab == 0)) {
		char wal[PATH_MAX + 8];

		snprintf(wal, sizeof(wal), "%s-wal", lg->path);
		if (access(wal, F_OK) == 0)
			return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
				_("an SQLite database that is not a p304 ledger, read with the file "
				  "'%s' beside it (move that file away if it comes from another "
				  "database); the file was left untouched"), wal);
		return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
			_("an SQLite database that is not a p304 ledger; the file was left untouched"));
	}
	if (ver > P304_LEDGER_SCHEMA)
		return p304_error_set(err, P304_ERR_INPUT, lg->path, 0,
			_("ledger written by a newer p304 (schema %lld, this one reads up to %d); "
			  "the file was left untouched"), ver, P304_LEDGER_SCHEMA);
	return P304_OK;
}

/* Brings the schema to P304_LEDGER_SCHEMA in one transaction. */
static p304_code migrate(p304_ledger *lg, p304_error *err)
{
	long long ver;
	char sql[96];

	if (lg_exec(lg, "BEGIN IMMEDIATE") != 0)
		return lg_sql_error(lg, err);
	ver = pragma_int(lg->db, "PRAGMA user_version");
	if (ver < 0)
		goto fail;
	for (long long v = ver + 1; v <= P304_LEDGER_SCHEMA; v++)
		if (lg_exec(lg, MIGRATIONS[v - 1]) != 0)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 P304_LEDGER_SCHEMA, P304_LEDGER_APP_ID);
	if (ver < P304_LEDGER_SCHEMA && lg_exec(lg, sql) != 0)
		goto fail;
	if (lg_exec(lg, "COMMIT") != 0)
		goto fail;
	return P304_OK;
fail:
	{
		p304_code rc = lg_sql_error(lg, err);

		lg_exec(lg, "ROLLBACK");
		return rc;
	}
}

static int busy(p304_ledger *lg)
{
	return (sqlite3_errcode(lg->db) & 0xff) == SQLITE_BUSY;
}

/* WAL, durability, foreign keys, then the schema. Two processes opening a
 * new ledger at once both ask to change its journal mode; SQLite answers
 * one of them SQLITE_BUSY at once, without its busy handler, as waiting
 * could deadlock: that one tries again (up to the busy timeout's 10 s). */
static p304_code set_up(p304_ledger *lg, p304_error *err)
{
	p304_code rc = P304_OK;

	for (int attempt = 0; attempt < 200; attempt++) {
		if (lg_exec(lg, "PRAGMA journal_mode = WAL") != 0 ||
		    lg_exec(lg, "PRAGMA synchronous = FULL") != 0 ||
		    lg_exec(lg, "PRAGMA foreign_keys = ON") != 0)
			rc = lg_sql_error(lg, err);
		else
			rc = migrate(lg, err);
		if (rc == P304_OK || !busy(lg))
			return rc;
		sqlite3_sleep(50);
	}
	return rc;
}

/* Opens the file itself into lg->db: checks it when it exists, creates it
 * when absent and `create`; lg->db is NULL again on failure. */
static p304_code open_file(p304_ledger *lg, int create, p304_error *err)
{
	const char *path = lg->path;
	struct stat st;
	int exists = stat(path, &st) == 0;
	p304_code rc;

	/* SQLite opens with NOFOLLOW and said only "unable to open database
	 * file", in English */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return p304_error_set(err, P304_ERR_IO, path, 0,
			_("is a symbolic link: name the ledger file itself"));
	if (exists && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return p304_error_set(err, P304_ERR_IO, path, 0, _("not a regular file"));
	if (!exists && (errno != ENOENT || !create))
		return p304_error_set(err, P304_ERR_IO, path, 0,
			errno == ENOENT ? _("no ledger here (p304 ledger record or import creates it)")
					: _("cannot read: %s"), strerror(errno));
	/* NOMUTEX: a connection is used by one thread at a time (the server
	 * gives each request its own, ledger.h), so SQLite's own lock on
	 * every call is only cost */
	if (sqlite3_open_v2(path, &lg->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
			    (exists ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOFOLLOW, NULL)
	    != SQLITE_OK) {
		rc = p304_error_set(err, P304_ERR_IO, path, 0, _("cannot open the ledger: %s"),
				    lg->db ? sqlite3_errmsg(lg->db) : _("out of memory"));
		goto fail;
	}
	sqlite3_extended_result_codes(lg->db, 1);
	/* one writer at a time: the others wait rather than fail */
	sqlite3_busy_timeout(lg->db, 10000);
	/* Until the file is known to be ours, closing must not checkpoint:
	 * SQLite reads a WAL found beside the file (left by a killed process,
	 * or by another database of that name) as part of it, and the close
	 * of a refused file wrote that WAL into it -- a ledger with a foreign
	 * WAL beside it was overwritten by the other database while the
	 * message said "left untouched". */
	sqlite3_db_config(lg->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	if (exists && (rc = check_existing(lg, err)) != P304_OK)
		goto fail;
	sqlite3_db_config(lg->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	/* WAL: readers never block the writer; FULL: a committed entry
	 * survives a power cut, not only a killed process */
	if ((rc = set_up(lg, err)) != P304_OK)
		goto fail;
	return P304_OK;
fail:
	sqlite3_close(lg->db);
	lg->db = NULL;
	return rc;
}

p304_code p304_ledger_open(const char *path, int create, p304_ledger **out, p304_error *err)
{
	p304_ledger *lg;
	struct stat st;
	p304_code rc;

	*out = NULL;
	lg = calloc(1, sizeof(*lg));
	if (!lg || !(lg->path = strdup(path))) {
		free(lg);
		return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
	}
	/* An absent ledger is created by the first write, never by opening:
	 * a refused import or record leaves no file behind without anyone
	 * deleting one afterwards (the command line unlinked the file it had
	 * created when its import was refused, and with it the entries another
	 * process had written there in between: issue 22, a lost campaign).
	 * Until then the handle reads an empty ledger held in memory. */
	if (create && stat(path, &st) != 0 && errno == ENOENT) {
		lg->pending = 1;
		if (sqlite3_open_v2(":memory:", &lg->db, SQLITE_OPEN_READWRITE |
				    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    (rc = set_up(lg, err)) != P304_OK) {
			rc = p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
			goto fail;
		}
	} else if ((rc = open_file(lg, create, err)) != P304_OK) {
		goto fail;
	}
	*out = lg;
	return P304_OK;
fail:
	p304_ledger_close(lg);
	return rc;
}

/* Removes the files of a ledger under construction (its own unique name). */
static void remove_new(const char *tmp)
{
	char side[PATH_MAX + 8];

	unlink(tmp);
	snprintf(side, sizeof(side), "%s-wal", tmp);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", tmp);
	unlink(side);
}

/* A new ledger appears whole or not at all: built under a unique name
 * beside `path`, then linked to it (link() never replaces a file: another
 * process that created it first wins, and this one opens theirs). A full
 * disk used to leave a 4 KB beginning of a ledger that every later read
 * called damaged. */
static p304_code create_whole(p304_ledger *lg, p304_error *err)
{
	p304_ledger t = { 0 };
	char tmp[PATH_MAX];
	p304_code rc;
	int fd = -1;

	for (unsigned k = 0; fd < 0 && k < 100; k++) {
		snprintf(tmp, sizeof(tmp), "%s.new-%ld-%lx-%u", lg->path, (long)getpid(),
			 (unsigned long)(uintptr_t)lg, k);
		/* 0666 and the umask, as SQLite itself creates a file */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0666);
		if (fd < 0 && errno != EEXIST)
			return p304_error_set(err, P304_ERR_IO, lg->path, 0,
					      _("cannot write the ledger: %s"), strerror(errno));
	}
	if (fd < 0)
		return p304_error_set(err, P304_ERR_IO, lg->path, 0,
				      _("cannot write the ledger: %s"), strerror(EEXIST));
	close(fd);
	t.path = tmp;
	rc = open_file(&t, 0, err);
	/* everything into the file itself before it is linked: the WAL is
	 * left behind under the temporary name */
	if (rc == P304_OK &&
	    sqlite3_wal_checkpoint_v2(t.db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
		rc = lg_sql_error(&t, err);
	if (t.db && sqlite3_close(t.db) != SQLITE_OK && rc == P304_OK)
		rc = p304_error_set(err, P304_ERR_INTERNAL, lg->path, 0, "sqlite3_close");
	if (rc == P304_OK && link(tmp, lg->path) != 0 && errno != EEXIST)
		rc = p304_error_set(err, P304_ERR_IO, lg->path, 0, _("cannot write the ledger: %s"),
				    strerror(errno));
	if (rc != P304_OK)
		snprintf(err->file, sizeof(err->file), "%s", lg->path);
	remove_new(tmp);
	return rc;
}

p304_code lg_ready(p304_ledger *lg, p304_error *err)
{
	sqlite3 *mem = lg->db;
	p304_code rc;

	if (!lg->pending)
		return P304_OK;
	lg->db = NULL;
	if ((rc = create_whole(lg, err)) != P304_OK || (rc = open_file(lg, 0, err)) != P304_OK) {
		lg->db = mem;
		return rc;
	}
	sqlite3_close(mem);
	lg->pending = 0;
	return P304_OK;
}

void p304_ledger_close(p304_ledger *lg)
{
	if (!lg)
		return;
	sqlite3_close(lg->db);
	free(lg->path);
	free(lg);
}

const char *p304_ledger_path(const p304_ledger *lg)
{
	return lg->path;
}

/* Who writes: the login name of the process (the officer's account). */
static void who_am_i(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());

	snprintf(buf, size, "%s", pw && pw->pw_name ? pw->pw_name : "?");
}

/* When: UTC, or SOURCE_DATE_EPOCH when set (reproducible builds' variable:
 * the demo ledger and the golden cases are then byte-identical). */
static void now_utc(char *buf, size_t size)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* 1 when set_key was recorded already (when and who into out). */
static int already(p304_ledger *lg, const char *key, p304_ledger_outcome *out)
{
	sqlite3_stmt *st;
	int found = 0;

	if (!key || sqlite3_prepare_v2(lg->db, "SELECT at, who FROM batch WHERE set_key = ?",
				       -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(out->already_at, sizeof(out->already_at), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		snprintf(out->already_who, sizeof(out->already_who), "%s",
			 (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return found;
}

/* The current entry of a key: its id and amount; 0 when none. */
static long current_id(sqlite3_stmt *q, const p304_ledger_item *it, int64_t *amount)
{
	long id = 0;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, it->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, it->year);
	sqlite3_bind_text(q, 3, p304_stage_name(it->stage), -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		id = (long)sqlite3_column_int64(q, 0);
		*amount = sqlite3_column_int64(q, 1);
	}
	return id;
}

static const char CURRENT_SQL[] =
	"SELECT id, amount_eur FROM entry WHERE code = ? AND year = ? AND stage = ?"
	" ORDER BY id DESC LIMIT 1";

/* The batch row carries its count of entries (batches refuse UPDATE: the
 * count is known before, from count_changes). */
static int insert_batch(p304_ledger *lg, const p304_ledger_source *src, size_t nentries)
{
	sqlite3_stmt *st;
	char at[32], who[64];
	int rc;

	now_utc(at, sizeof(at));
	who_am_i(who, sizeof(who));
	if (sqlite3_prepare_v2(lg->db, "INSERT INTO batch (kind, file, sha256, version, scenario,"
			       " set_key, at, who, comment, nentries) VALUES (?,?,?,?,?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, src->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, src->file ? src->file : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, src->sha256 ? src->sha256 : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, P304_VERSION, -1, SQLITE_STATIC);
	text_or_null(st, 5, src->scenario);
	text_or_null(st, 6, src->set_key);
	sqlite3_bind_text(st, 7, at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, who, -1, SQLITE_TRANSIENT);
	text_or_null(st, 9, src->comment);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)nentries);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Each item not equal to its key's current entry becomes an entry that
 * supersedes that one (append-only: the old entry stays). */
static int insert_entries(p304_ledger *lg, long batch, const p304_ledger_item *items,
			  size_t n, p304_ledger_outcome *out)
{
	sqlite3_stmt *q = NULL, *ins = NULL;
	int ok = -1;

	if (sqlite3_prepare_v2(lg->db, CURRENT_SQL, -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(lg->db, "INSERT INTO entry (batch, code, year, stage, amount_eur,"
			       " line, supersedes) VALUES (?,?,?,?,?,?,?)", -1, &ins, NULL)
	    != SQLITE_OK)
		goto out;
	for (size_t k = 0; k < n; k++) {
		const p304_ledger_item *it = &items[k];
		int64_t cur = 0;
		long prev = current_id(q, it, &cur);

		if (prev && cur == it->amount_eur) {
			out->unchanged++;
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, batch);
		sqlite3_bind_text(ins, 2, it->code, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 3, it->year);
		sqlite3_bind_text(ins, 4, p304_stage_name(it->stage), -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 5, it->amount_eur);
		sqlite3_bind_int64(ins, 6, it->line);
		if (prev)
			sqlite3_bind_int64(ins, 7, prev);
		else
			sqlite3_bind_null(ins, 7);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto out;
		if (prev)
			out->superseded++;
		else
			out->added++;
	}
	ok = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	return ok;
}

/* How many items differ from their key's current entry: the batch's count,
 * known before the batch row is written. */
static size_t count_changes(p304_ledger *lg, const p304_ledger_item *items, size_t n, int *fail)
{
	sqlite3_stmt *q;
	size_t c = 0;

	*fail = sqlite3_prepare_v2(lg->db, CURRENT_SQL, -1, &q, NULL) != SQLITE_OK;
	if (*fail)
		return 0;
	for (size_t k = 0; k < n; k++) {
		int64_t cur = 0;
		long prev = current_id(q, &items[k], &cur);

		c += !(prev && cur == items[k].amount_eur);
	}
	sqlite3_finalize(q);
	return c;
}

static const p304_ledger_item *sort_base;

static int key_cmp(const void *a, const void *b)
{
	const p304_ledger_item *x = &sort_base[*(const size_t *)a];
	const p304_ledger_item *y = &sort_base[*(const size_t *)b];
	int c = strcmp(x->code, y->code);

	if (c)
		return c;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if (x->stage != y->stage)
		return x->stage < y->stage ? -1 : 1;
	/* file order among equals: the first line is named first */
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Sorting, not comparing every pair: an import of 20 000 rows stays fast. */
static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;

int lg_find_duplicate(const p304_ledger_item *items, size_t n, size_t *first, size_t *second)
{
	size_t *ix = malloc((n ? n : 1) * sizeof(size_t));
	int found = 0;

	if (!ix)
		return -1;
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	/* qsort has no context argument in C17: the base is shared, locked */
	pthread_mutex_lock(&sort_lock);
	sort_base = items;
	qsort(ix, n, sizeof(size_t), key_cmp);
	pthread_mutex_unlock(&sort_lock);
	for (size_t i = 1; i < n && !found; i++) {
		const p304_ledger_item *a = &items[ix[i - 1]], *b = &items[ix[i]];

		if (a->year == b->year && a->stage == b->stage && strcmp(a->code, b->code) == 0) {
			*first = ix[i - 1];
			*second = ix[i];
			found = 1;
		}
	}
	free(ix);
	return found;
}

p304_code p304_ledger_append(p304_ledger *lg, const p304_ledger_source *src,
			     const p304_ledger_item *items, size_t n,
			     p304_ledger_outcome *out, p304_error *err)
{
	p304_ledger_source again;
	size_t nchanged;
	int fail, seen;
	long batch;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < n; k++) {
		if (items[k].amount_eur < 0 || items[k].amount_eur > P304_MAX_EUR ||
		    (unsigned)items[k].stage >= P304_NSTAGES)
			return p304_error_set(err, P304_ERR_INPUT, src->file, items[k].line,
					      _("amount or stage out of range for '%s'"),
					      items[k].code);
		/* the table's CHECK: said here, not as SQLite's English and an
		 * internal error (an avenant of 2999 is for 3000) */
		if (items[k].year < 1900 || items[k].year > 2999)
			/* a set's line is a rank among its rows, not a line of
			 * the file to show */
			return p304_error_set(err, P304_ERR_INPUT, src->file,
				strcmp(src->kind, "import") == 0 ? items[k].line : 0,
				_("year %d of '%s' out of the ledger's range, expected 1900 to 2999"),
				items[k].year, items[k].code);
	}
	/* one entry per key and batch: a second one would hide the first */
	{
		size_t j, k;
		int dup = lg_find_duplicate(items, n, &j, &k);

		if (dup < 0)
			return p304_error_set(err, P304_ERR_NOMEM, NULL, 0, _("out of memory"));
		if (dup)
			return p304_error_set(err, P304_ERR_INPUT, src->file, items[k].line,
				_("duplicate code '%s' (lines %ld and %ld)"), items[k].code,
				items[j].line, items[k].line);
	}
	/* everything checked: the file may now be created */
	{
		p304_code rc = lg_ready(lg, err);

		if (rc != P304_OK)
			return rc;
	}
	/* IMMEDIATE: the write lock first, so that the check for a set
	 * already recorded and the writing are one step for every writer */
	if (lg_exec(lg, "BEGIN IMMEDIATE") != 0)
		return lg_sql_error(lg, err);
	seen = already(lg, src->set_key, out);
	nchanged = count_changes(lg, items, n, &fail);
	if (fail)
		goto fail;
	if (nchanged == 0) {
		/* nothing new: an empty batch would only be noise */
		out->already = seen;
		out->unchanged = n;
		lg_exec(lg, "ROLLBACK");
		return P304_OK;
	}
	/* A set recorded before whose amounts were corrected since (a.csv,
	 * then b.csv, then a.csv again): the officer makes them current again.
	 * Answering "already recorded, nothing written" left b.csv's amounts
	 * in force with a success (issue 22: corrections supersede). Its key
	 * stays with its first batch. */
	if (seen) {
		again = *src;
		again.set_key = NULL;
		src = &again;
		out->again = 1;
	}
	if (insert_batch(lg, src, nchanged) != 0)
		goto fail;
	batch = (long)sqlite3_last_insert_rowid(lg->db);
	if (insert_entries(lg, batch, items, n, out) != 0)
		goto fail;
	if (lg_exec(lg, "COMMIT") != 0)
		goto fail;
	out->batch = batch;
	return P304_OK;
fail:
	{
		p304_code rc = lg_sql_error(lg, err);

		lg_exec(lg, "ROLLBACK");
		memset(out, 0, sizeof(*out));
		return rc;
	}
}
