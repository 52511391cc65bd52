package store

/*
// The SQLite that go-sqlite3 compiles in is the one these reach: its symbols are linked once.
#include <stddef.h>
#include <stdlib.h>

typedef struct sqlite3 sqlite3;
extern int sqlite3_config(int, ...);
extern int sqlite3_open(const char *, sqlite3 **);
extern int sqlite3_close(sqlite3 *);
extern int sqlite3_exec(sqlite3 *, const char *, void *, void *, char **);
extern int sqlite3_db_status(sqlite3 *, int, int *, int *, int);
extern long long sqlite3_memory_used(void);

// SQLITE_CONFIG_MEMSTATUS (9) and SQLITE_CONFIG_LOOKASIDE (13), from sqlite3.h.
static int kycdesk_sqlite_config(int slotSize, int slots) {
	int rc = sqlite3_config(9, 0);
	if (rc) return rc;
	return sqlite3_config(13, slotSize, slots);
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
*/
import "C"

import "unsafe"

// SQLite's allocator is set up once per process, before the first connection opens:
//
//   - No memory statistics. With them, every allocation SQLite makes takes a process-wide
//     mutex to count itself, and nothing here reads the count.
//   - A larger lookaside: each connection keeps lookasideSlots slots of lookasideSlotSize bytes
//     for its small, short-lived allocations (parsed values, cursors, records), instead of SQLite's
//     default 40, past which every one of them goes to malloc and free.
//
// Together they cut the mover's CPU a case by about a fifth (BenchmarkMove: README, "Ingest").
// The cost is up to 600 KB of memory a connection, touched only as it is used.
const (
	lookasideSlotSize = 1200
	lookasideSlots    = 500
)

// sqliteConfigErr is what sqlite3_config said; not 0 means SQLite was already initialised (by
// something that opened a connection first) and runs with its defaults.
var sqliteConfigErr = int(C.kycdesk_sqlite_config(lookasideSlotSize, lookasideSlots))

// sqliteMemoryUsed is SQLite's count of the memory it holds: always 0 with the statistics off.
func sqliteMemoryUsed() int64 { return int64(C.sqlite3_memory_used()) }

// lookasidePeak runs query on a fresh in-memory connection and returns the most lookaside slots
// it held at once (-1 when the query failed).
func lookasidePeak(query string) int {
	q := C.CString(query)
	defer C.free(unsafe.Pointer(q))
	return int(C.kycdesk_lookaside_peak(q))
}
