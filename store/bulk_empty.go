package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// BulkLoadEmpty stores cases as BulkLoad does, row for row the same, into a database that has
// none yet, several times faster: it is how `kycdesk demo --synthetic` loads a million cases. It
// sets aside the indexes of the tables with many small rows (media, words, pairs, tags, decisions)
// and the insert triggers whose work it does itself (the state counts, the agent's remark), writes
// the rows without waiting for the disk at each commit and with multi-row INSERTs, then builds
// each index once over the finished table from the SQL saved from sqlite_master and puts the
// triggers back, so that the schema afterwards is the migrations' own. Until it has finished, the
// database holds the table bulk_load_unfinished: a load that stops half way (killed, out of disk)
// leaves a data dir that CheckLoadFinished refuses, saying what to do. It refuses a database that
// already has cases, deliveries or decisions.
func (db *DB) BulkLoadEmpty(ctx context.Context, next func() (BulkCase, bool)) (n int, err error) {
	// The connection's pragmas are relaxed for the load, on a connection that is dropped afterwards.
	conn, release, err := db.scratchWriter(ctx,
		// A load that dies half way is deleted and done again (bulk_load_unfinished says so), so
		// its commits need not wait for the disk; the last one does (bulkFinish).
		"PRAGMA synchronous = OFF",
		// The log is copied into the database at each commit, as SQLite does by default, so that
		// the next batch starts it afresh: the store's checkpointer, one batch behind, would let
		// it grow to the size of the whole load.
		"PRAGMA wal_autocheckpoint = 1000",
		// The rows reference each other by the ids the loader gives them.
		"PRAGMA foreign_keys = OFF",
		// A CREATE INDEX sorts in this much memory before it spills to temporary files, on two
		// threads; SQLite sorts on one thread, all in memory, while temp_store is MEMORY.
		fmt.Sprintf("PRAGMA cache_size = %d", -bulkCacheKiB),
		"PRAGMA temp_store = FILE",
		"PRAGMA threads = 2",
	)
	if err != nil {
		return 0, fmt.Errorf("store: bulk load: %w", err)
	}
	defer release()
	if err := bulkStart(ctx, conn); err != nil {
		return 0, err
	}
	w, err := db.newBulkWriter(ctx, conn)
	if err != nil {
		return 0, err
	}
	for {
		wrote, more, err := w.batch(ctx, next, bulkEmptyBatch)
		n += wrote
		if err != nil {
			return n, err
		}
		if !more {
			break
		}
	}
	if err := bulkFinish(ctx, conn); err != nil {
		return n, err
	}
	// The loader gave the ids itself: the inbox's sequence, which gives every other one, goes on from them.
	var maxID int64
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM deliveries`).Scan(&maxID); err != nil {
		return n, fmt.Errorf("store: bulk load: %w", err)
	}
	if _, err := db.reserveDeliveryIDs(ctx, 0, maxID); err != nil {
		return n, fmt.Errorf("store: bulk load: %w", err)
	}
	return n, nil
}

const (
	// bulkEmptyBatch is how many cases one transaction of BulkLoadEmpty writes.
	bulkEmptyBatch = 20000
	// bulkCacheKiB is the loading connection's page cache (256 MB), which is also what CREATE
	// INDEX sorts in.
	bulkCacheKiB = 256 << 10
	// bulkMarker is the table that holds, until a BulkLoadEmpty has finished, the SQL of the
	// indexes and triggers it has yet to put back.
	bulkMarker = "bulk_load_unfinished"
)

// bulkTables are the tables whose indexes BulkLoadEmpty builds after the load. Their rows are
// small and many (about five media rows, five words and nine pairs a case), and most of their
// keys arrive in no order (a word, a pair, a file's digest), so one sort beats a B-tree insert per
// row and index. The cases' and deliveries' indexes are kept as the rows go in: those rows are
// large (the snapshot, the raw body), a CREATE INDEX reads the whole table, overflow pages and
// all, for each index, and their keys arrive mostly in order (times, ids). Measured on 50,000 and
// 100,000 scale cases.
var bulkTables = []string{"media", "case_tags", "case_terms", "case_pairs", "decisions", "dash_final"}

// bulkTriggers are the insert triggers BulkLoadEmpty does the work of (bulk_rows.go), so that a
// case row is written once instead of written and then updated.
var bulkTriggers = []string{"cases_count_insert", "cases_agent_remark_insert", "media_count_insert"}

// errLoadUnfinished is a data dir whose bulk load stopped half way.
var errLoadUnfinished = &Error{Kind: KindConflict, Message: "This data directory holds a synthetic load " +
	"(kycdesk demo --synthetic) that stopped before it finished: its indexes are not built. " +
	"Delete the directory and run kycdesk demo again."}

// CheckLoadFinished refuses a database a BulkLoadEmpty stopped writing half way: `kycdesk serve`
// calls it before it serves anything.
func (db *DB) CheckLoadFinished(ctx context.Context) error {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = ?`, bulkMarker).Scan(&n); err != nil {
		return fmt.Errorf("store: check bulk load: %w", err)
	}
	if n > 0 {
		return errLoadUnfinished
	}
	return nil
}

// bulkStart checks that the database is empty and, in one transaction, records in bulkMarker
// the SQL of the bulk tables' indexes and of bulkTriggers, and drops them.
func bulkStart(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	defer tx.Rollback()
	var unfinished, used bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = ?),
		EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM deliveries) OR EXISTS (SELECT 1 FROM decisions)`,
		bulkMarker).Scan(&unfinished, &used); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	if unfinished {
		return errLoadUnfinished
	}
	if used {
		return Errorf(KindConflict, "The database already has cases: a bulk load goes only into an empty data directory.")
	}
	tables := "'" + strings.Join(bulkTables, "', '") + "'"
	triggers := "'" + strings.Join(bulkTriggers, "', '") + "'"
	rows, err := tx.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL
		AND (type = 'index' AND tbl_name IN (`+tables+`) OR type = 'trigger' AND name IN (`+triggers+`))
		ORDER BY rowid`)
	if err != nil {
		return fmt.Errorf("store: bulk load: schema: %w", err)
	}
	type object struct{ kind, name, sql string }
	var aside []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.kind, &o.name, &o.sql); err != nil {
			rows.Close()
			return fmt.Errorf("store: bulk load: schema: %w", err)
		}
		aside = append(aside, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: bulk load: schema: %w", err)
	}
	found := map[string]bool{}
	for _, o := range aside {
		found[o.name] = true
	}
	for _, t := range bulkTriggers {
		if !found[t] {
			return fmt.Errorf("store: bulk load: the schema has no trigger %s, whose work the bulk loader does: change bulk_rows.go with the migration", t)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE `+bulkMarker+` (id INTEGER PRIMARY KEY, sql TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	for _, o := range aside {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+bulkMarker+` (sql) VALUES (?)`, o.sql); err != nil {
			return fmt.Errorf("store: bulk load: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DROP `+strings.ToUpper(o.kind)+` "`+o.name+`"`); err != nil {
			return fmt.Errorf("store: bulk load: set aside %s: %w", o.name, err)
		}
	}
	return commit(tx, "bulk load")
}

// bulkFinish builds the indexes and puts back the triggers recorded in bulkMarker, each in its
// own transaction, then makes everything durable and drops bulkMarker.
func bulkFinish(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, `SELECT id, sql FROM `+bulkMarker+` ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	type object struct {
		id  int64
		sql string
	}
	var todo []object
	for rows.Next() {
		var o object
		if err := rows.Scan(&o.id, &o.sql); err != nil {
			rows.Close()
			return fmt.Errorf("store: bulk load: %w", err)
		}
		todo = append(todo, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: bulk load: %w", err)
	}
	for _, o := range todo {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: bulk load: %w", err)
		}
		if _, err := tx.ExecContext(ctx, o.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: bulk load: %s: %w", o.sql, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+bulkMarker+` WHERE id = ?`, o.id); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: bulk load: %w", err)
		}
		if err := commit(tx, "bulk load"); err != nil {
			return err
		}
	}
	// Every page the load wrote reaches the disk before the marker goes.
	for _, p := range []string{"PRAGMA synchronous = FULL", "PRAGMA wal_checkpoint(TRUNCATE)", "DROP TABLE " + bulkMarker} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("store: bulk load: %s: %w", p, err)
		}
	}
	return nil
}
