package store

/*
// The SQLite that go-sqlite3 compiles in is the one these reach: its symbols are linked once.
#include <stddef.h>
#include <stdlib.h>

typedef struct sqlite3 sqlite3;
extern int sqlite3_config(int, ...);
extern int sqlite3_open(const char *, sqlite3 **);
extern int sqlite3_close(sqlite3 *);
extern int sqlite3_exec(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **);
extern int sqlite3_busy_timeout(sqlite3 *, int);
extern int sqlite3_db_status(sqlite3 *, int, int *, int *, int);
extern long long sqlite3_memory_used(void);

extern int sqlite3_db_config(sqlite3 *, int, ...);
extern int sqlite3_auto_extension(void (*)(void));

// kycdesk_qpsg turns on the query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG, 1007)
// for a new connection: run by SQLite at every open, as an automatic extension.
static int kycdesk_qpsg(sqlite3 *db, char **err, const void *api) {
	return sqlite3_db_config(db, 1007, 1, (int *)0);
}

// SQLITE_CONFIG_MEMSTATUS (9) and SQLITE_CONFIG_LOOKASIDE (13), from sqlite3.h.
static int kycdesk_sqlite_config(int slotSize, int slots) {
	int rc = sqlite3_config(9, 0);
	if (rc) return rc;
	rc = sqlite3_config(13, slotSize, slots);
	if (rc) return rc;
	return sqlite3_auto_extension((void (*)(void))kycdesk_qpsg);
}

// kycdesk_qpsg_on reports whether a new in-memory connection has the guarantee on (1), or -1.
static int kycdesk_qpsg_on(void) {
	sqlite3 *db = NULL;
	int on = -1;
	if (sqlite3_open(":memory:", &db) == 0) sqlite3_db_config(db, 1007, -1, &on);
	sqlite3_close(db);
	return on;
}

// kycdesk_lookaside_peak runs sql on a new in-memory connection and reports the most lookaside
// slots it held at once (SQLITE_DBSTATUS_LOOKASIDE_USED, 0), or -1.
static int kycdesk_lookaside_peak(const char *sql) {
	sqlite3 *db = NULL;
	int cur = 0, peak = -1;
	if (sqlite3_open(":memory:", &db) == 0 && sqlite3_exec(db, sql, NULL, NULL, NULL) == 0) {
		sqlite3_db_status(db, 0, &cur, &peak, 0);
	}
	sqlite3_close(db);
	return peak;
}

typedef struct sqlite3_stmt sqlite3_stmt;
extern int sqlite3_open_v2(const char *, sqlite3 **, int, const char *);
extern int sqlite3_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
extern int sqlite3_bind_int64(sqlite3_stmt *, int, long long);
extern int sqlite3_bind_text(sqlite3_stmt *, int, const char *, int, void (*)(void *));
extern int sqlite3_step(sqlite3_stmt *);
extern int sqlite3_reset(sqlite3_stmt *);
extern int sqlite3_clear_bindings(sqlite3_stmt *);
extern int sqlite3_stmt_status(sqlite3_stmt *, int, int);
extern int sqlite3_finalize(sqlite3_stmt *);

// kycdesk_reprepares runs sql on the database at path `rounds` times inside a transaction that
// it rolls back, with the query planner stability guarantee on or off (qpsg), binding ints[i] or texts[i] (kinds[i] 'i' or 't') to parameter i+1 each time
// and clearing the bindings after each run, as go-sqlite3 does; it returns how often SQLite
// re-prepared the statement (SQLITE_STMTSTATUS_REPREPARE, 5), or -1 - the step that failed.
static int kycdesk_reprepares(const char *path, const char *sql, const char *kinds,
		const long long *ints, char **texts, int n, int rounds, int qpsg) {
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int result = -1, r, i, rc;
	if (sqlite3_open_v2(path, &db, 2, NULL) != 0) goto done; // SQLITE_OPEN_READWRITE
	sqlite3_busy_timeout(db, 10000);
	sqlite3_db_config(db, 1007, qpsg, (int *)0);
	result = -2;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != 0) goto done;
	result = -3;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != 0) goto done;
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < n; i++) {
			rc = kinds[i] == 'i' ? sqlite3_bind_int64(st, i + 1, ints[i]) : sqlite3_bind_text(st, i + 1, texts[i], -1, (void (*)(void *))-1);
			result = -4;
			if (rc != 0) goto done;
		}
		while ((rc = sqlite3_step(st)) == 100) {} // SQLITE_ROW
		result = -5;
		if (rc != 101) goto done; // SQLITE_DONE
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	result = sqlite3_stmt_status(st, 5, 0);
done:
	if (st) sqlite3_finalize(st);
	if (db) { sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); sqlite3_close(db); }
	return result;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// SQLite's allocator is set up once per process, before the first connection opens:
//
//   - No memory statistics. With them, every allocation SQLite makes takes a process-wide
//     mutex to count itself, and nothing here reads the count.
//
//   - A larger lookaside: each connection keeps a buffer of lookasideSlots × lookasideSlotSize
//     bytes for its small, short-lived allocations (parsed values, cursors, records), instead of
//     SQLite's default 40 × 1200, past which every one of them goes to malloc and free. SQLite
//     carves the buffer into slots of two sizes (here 378 of 1200 bytes and 1,143 of 128).
//
//   - The query planner stability guarantee on every connection (an automatic extension runs
//     sqlite3_db_config(SQLITE_DBCONFIG_ENABLE_QPSG) at each open). Without it SQLite's planner
//     looks at the values bound to a statement (a LIMIT ?, a column = ? it might not use), and
//     marks the statement to be re-prepared when they are bound again; go-sqlite3 clears the
//     bindings at every use, so nearly every statement of a page was parsed and planned afresh at
//     each request. With it, a statement's plan is the one it was prepared with. Nothing here
//     leans on a bound value for its plan: the queue names its indexes (INDEXED BY), and no
//     pattern of LIKE or GLOB is bound.
//
// The first two cut the mover's CPU a callback by about a fifth (BenchmarkMove: README,
// "Ingest"). The cost is memory: SQLite links every slot into its free list when a connection
// opens, so the whole buffer (600 KB) is resident from then on. A server opens about 15
// connections (the main database's writer, 8 readers and checkpointer; the inbox's writer, readers
// and checkpointer), some 8 MB more than SQLite's default; a command such as `audit export`
// opens three or four.
const (
	lookasideSlotSize = 1200
	lookasideSlots    = 500
)

// sqliteConfigErr is what sqlite3_config said; not 0 means SQLite was already initialised (by
// something that opened a connection first) and runs with its defaults.
var sqliteConfigErr = int(C.kycdesk_sqlite_config(lookasideSlotSize, lookasideSlots))

// AllocatorConfigErr says why SQLite runs with its default allocator settings, or nil: `kycdesk
// serve` logs it as a warning. Nothing is wrong but the speed then.
func AllocatorConfigErr() error {
	if sqliteConfigErr == 0 {
		return nil
	}
	return fmt.Errorf("sqlite3_config returned %d: SQLite was initialised before the store package's init ran", sqliteConfigErr)
}

// qpsgOn reports whether a connection opened now has the query planner stability guarantee.
func qpsgOn() bool { return C.kycdesk_qpsg_on() == 1 }

// sqliteMemoryUsed is SQLite's count of the memory it holds: always 0 with the statistics off.
func sqliteMemoryUsed() int64 { return int64(C.sqlite3_memory_used()) }

// lookasidePeak runs query on a fresh in-memory connection and returns the most lookaside slots
// it held at once (-1 when the query failed).
func lookasidePeak(query string) int {
	q := C.CString(query)
	defer C.free(unsafe.Pointer(q))
	return int(C.kycdesk_lookaside_peak(q))
}

// stmtReprepares runs query `rounds` times on its own connection to the database at path, in a
// transaction it rolls back, with args (int64 or string) bound afresh each time and the query
// planner stability guarantee on or off, and returns how often SQLite re-prepared it: 0 for a
// statement whose plan does not depend on bound values.
func stmtReprepares(path, query string, rounds int, qpsg bool, args ...any) (int, error) {
	n := len(args)
	kinds := make([]byte, n+1)
	ints := make([]C.longlong, n+1)
	texts := C.malloc(C.size_t(n+1) * C.size_t(unsafe.Sizeof(uintptr(0))))
	defer C.free(texts)
	tv := unsafe.Slice((**C.char)(texts), n+1)
	for i, a := range args {
		switch v := a.(type) {
		case int64:
			kinds[i], ints[i] = 'i', C.longlong(v)
		case string:
			kinds[i], tv[i] = 't', C.CString(v)
			defer C.free(unsafe.Pointer(tv[i]))
		default:
			return 0, fmt.Errorf("stmtReprepares: argument %d is a %T", i+1, a)
		}
	}
	p, q, k := C.CString(path), C.CString(query), C.CString(string(kinds[:n]))
	defer C.free(unsafe.Pointer(p))
	defer C.free(unsafe.Pointer(q))
	defer C.free(unsafe.Pointer(k))
	on := 0
	if qpsg {
		on = 1
	}
	rc := int(C.kycdesk_reprepares(p, q, k, &ints[0], (**C.char)(texts), C.int(n), C.int(rounds), C.int(on)))
	if rc < 0 {
		return 0, fmt.Errorf("stmtReprepares: step %d failed for %s", -rc, query)
	}
	return rc, nil
}
