/*
 * ledger_priv.h - private to src/ledger: the open ledger and the SQL
 * helpers its files share.
 */
#ifndef P304_LEDGER_PRIV_H
#define P304_LEDGER_PRIV_H

#include <sqlite3.h>

#include <p304/ledger.h>

#include "gettext.h"

struct p304_ledger {
	sqlite3 *db;
	char *path;
	int pending; /* absent file opened to create: db is in memory until
		      * the first write (lg_ready) */
};

/* Opens (and creates) the file of a pending ledger; P304_OK at once for
 * any other. */
p304_code lg_ready(p304_ledger *lg, p304_error *err);

/* err from the connection's last error: busy, full disk, damaged file. */
p304_code lg_sql_error(p304_ledger *lg, p304_error *err);
/* Runs SQL without results; 0 or -1 (then lg_sql_error says why). */
int lg_exec(p304_ledger *lg, const char *sql);

/* The main file as SQLite holds it open, or NULL. Every read of the
 * ledger's own file goes through it: opening and closing the file by its
 * name drops the POSIX locks of all the process's connections to it
 * (fcntl semantics), and another process may then take the WAL away. */
sqlite3_file *lg_file(p304_ledger *lg);
/* The SHA-256 of the main file, read through lg_file. */
p304_code lg_sha256(p304_ledger *lg, char hex[65], p304_error *err);

/* 1 and the indexes of two items of the same code × year × stage (first
 * in file order), 0 when none, -1 out of memory. */
int lg_find_duplicate(const p304_ledger_item *items, size_t n, size_t *first, size_t *second);

#endif
