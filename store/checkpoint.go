package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// The store's connections checkpoint the write-ahead log on commit only as a backstop. SQLite's
// default is that the connection whose commit takes the log past 1,000 pages copies them into the
// database and syncs it, inside that commit: the single writer, and every acknowledgement queued
// behind it, then waits milliseconds for work that need not be on its path. The checkpointer does
// that copying instead, on a connection of its own beside the writer. But the log starts over
// only when a write begins with every page of it copied, which a writer that never pauses does
// not see after another connection's checkpoint; so once the log passes backstopPages, the
// writer's own commit checkpoints too (by then little is left to copy) and the next write
// starts the log over.
const driverName = "sqlite3-kycdesk"

// writerDriverName is the driver of the single writer connection: the same pragmas, and its
// statement journals in memory. A statement inside a transaction that may fail half way (an
// insert into cases, with its nineteen indexes and triggers) keeps the pages it changes in a
// statement journal, and SQLite writes that journal to a temporary file once it passes 64 KB:
// 146 KB of temporary writes for every case the deriver derived, measured with strace on
// BenchmarkIngest, all of it through the kernel and thrown away at the statement's end.
// temp_store = MEMORY keeps them in memory: the pages one statement changes, a case's on ingest,
// a batch's in the background fills and the retention job (hundreds of cases: a few MB at most).
// It also keeps the writer's sorts in memory, so the migrations and the bulk load, which may
// build an index over millions of rows, set it back to FILE on a connection they then drop
// (migrate, BulkLoadEmpty).
const writerDriverName = "sqlite3-kycdesk-writer"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		return connPragmas(c, "")
	}})
	sql.Register(writerDriverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		return connPragmas(c, "; PRAGMA temp_store = MEMORY")
	}})
}

func connPragmas(c *sqlite3.SQLiteConn, more string) error {
	// The log file is cut back to the backstop's length when it starts over, so a burst does not
	// leave it larger, and the usual log is not cut and grown again at every start.
	_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d; PRAGMA journal_size_limit = %d", backstopPages, backstopPages*4096)+more, nil)
	return err
}

// backstopPages is the log's length (256 MB of 4 KB pages) past which a commit checkpoints: above
// what a second of the busiest ingest writes (about 36 KiB of log a callback into a million cases,
// counted from the frames of an unchecked log: some 130 MB at 3,500 callbacks/s), so that the
// checkpointer, not the writer, copies it; and under the 500 MB past which Litestream truncates
// the log. A variable for TestLogStaysBounded.
var backstopPages = 65536

// checkpointEvery is how often the checkpointer copies what the log has gained into the database.
// A page written many times in that while is copied once, and the log holds at most about this
// long of writes. Each checkpoint ends in a sync of the database file, which into a database of
// millions of cases costs the acknowledgements far more than the copying: at a million cases, 32
// senders got 3,459-4,418 acks/s with p99 15.7-30.5 ms checkpointing every second, against
// 3,150-3,813 and 25.8-35.5 ms every 100 ms (BenchmarkIngest, five alternated runs each). In a
// sweep with a build that read the interval from the environment, every 2 s was no better than
// every second and every 500 ms in between.
const checkpointEvery = time.Second

// checkpointer runs passive checkpoints on its own connection until stopped. Passive means it
// never waits for, or blocks, a reader or the writer: what a reader still needs is copied next time.
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// failures records the checkpoints that failed (upkeep.go).
	failures failureLog
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	conn, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		c.checkpoint(context.Background())
	}
}

// checkpoint copies every page the log holds that no reader still needs into the database.
// One that fails (the disk full, say) is tried again at the next tick: the log stays durable
// meanwhile, it only grows. The failure is recorded for ingest health and /metrics.
func (c *checkpointer) checkpoint(ctx context.Context) {
	var busy, logFrames, copied int
	if err := c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied); err != nil {
		c.failures.failed(fmt.Errorf("checkpoint: %w", err), time.Now().UTC())
		return
	}
	c.failures.succeeded()
}

// close stops the loop, then checkpoints once more so a clean shutdown leaves little to replay.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	c.checkpoint(context.Background())
	return c.conn.Close()
}
