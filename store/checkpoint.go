package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// The store's connections never checkpoint the write-ahead log themselves. SQLite's default is
// that the connection whose commit takes the log past 1,000 pages copies them into the database
// and syncs it, inside that commit: the single writer, and every acknowledgement queued behind it,
// then waits milliseconds for work that need not be on its path. The checkpointer does it instead,
// on a connection of its own beside the writer, as Litestream also advises for busy writers.
const driverName = "sqlite3-kycdesk"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// The log file is cut back to 64 MB when it restarts, so a burst does not leave it large.
		_, err := c.Exec("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864", nil)
		return err
	}})
}

// checkpointEvery is how often the checkpointer copies what the log has gained into the database.
// A page written many times in that while is copied once, and the log holds at most about this
// long of writes.
const checkpointEvery = 100 * time.Millisecond

// checkpointer runs passive checkpoints on its own connection until stopped. Passive means it
// never waits for, or blocks, a reader or the writer: what a reader still needs is copied next time.
type checkpointer struct {
	conn *sql.DB
	stop chan struct{}
	done chan struct{}
	once sync.Once
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
// meanwhile, it only grows.
func (c *checkpointer) checkpoint(ctx context.Context) {
	var busy, logFrames, copied int
	_ = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
}

// close stops the loop, then checkpoints once more so a clean shutdown leaves little to replay.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	c.checkpoint(context.Background())
	return c.conn.Close()
}
