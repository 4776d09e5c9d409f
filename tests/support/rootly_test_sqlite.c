/* The test helpers that talk to SQLite directly: linked into the C suites
 * (tests/CMakeLists.txt), not into the binding suites, which build
 * rootly_test.c against the shared library alone. */
#include "rootly_test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

void rt_sqlite_exec(const char *path_or_uri, const char *sql)
{
	const char *path = strncmp(path_or_uri, "sqlite:", 7) == 0 ? path_or_uri + 7 : path_or_uri;
	char base[1024];
	snprintf(base, sizeof(base), "%.*s", (int)strcspn(path, "?"), path);
	sqlite3 *db = NULL;
	if (sqlite3_open(base, &db) != SQLITE_OK)
		fail_msg("open %s: %s", base, db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_busy_timeout(db, 5000);
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
	sqlite3_close(db);
}
