/* bench_sqlite.h — the SQLite side's two helpers every bench that compares
 * against SQLite uses: run a statement, prepare one. A failure exits: the
 * benches are programs, not library code. */
#ifndef OG_BENCH_SQLITE_H
#define OG_BENCH_SQLITE_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static inline void sq_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, err);
        exit(1);
    }
}

static inline sqlite3_stmt *sq_prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite prepare: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    return st;
}

#endif
