package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// A derivation of a delivery the main database already holds (one an earlier version acknowledged
// there, marked derived = 0) needs no fsync of its own: it clears the marker in the same
// transaction, so if a power cut loses the commit, the row is still marked and the next start
// derives it again, and the next commit at synchronous = FULL (every move from the inbox, every
// decision) makes it durable with it. So it commits at synchronous = NORMAL.

// lazyConn is the writer connection held for one transaction at synchronous = NORMAL.
type lazyConn struct{ *sql.Conn }

// lazyWriter takes the writer connection and sets it to synchronous = NORMAL until release.
func (db *DB) lazyWriter(ctx context.Context) (lazyConn, error) {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return lazyConn{}, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
		conn.Close()
		return lazyConn{}, fmt.Errorf("synchronous = NORMAL: %w", err)
	}
	return lazyConn{conn}, nil
}

// release sets the connection back to synchronous = FULL before the pool hands it to a raw
// commit. If that fails, the pool drops the connection (driver.ErrBadConn) rather than reuse it
// unsynced, and the next one is opened at FULL from the DSN.
func (c lazyConn) release() {
	// Raw's error is the function's own: the connection is reset, or dropped.
	_ = c.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return driver.ErrBadConn
		}
		if _, err := ex.ExecContext(context.Background(), "PRAGMA synchronous = FULL", nil); err != nil {
			return driver.ErrBadConn
		}
		return nil
	})
	c.Close()
}

// scratchWriter takes the writer connection and runs pragmas on it for one job that needs
// settings of its own (the migrations, the bulk load). release closes it for good, never handing
// it back to the pool, so the next write opens one with the writer's pragmas (writerDriverName).
func (db *DB) scratchWriter(ctx context.Context, pragmas ...string) (conn *sql.Conn, release func(), err error) {
	conn, err = db.write.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	release = func() {
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}
	for _, p := range pragmas {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			release()
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return conn, release, nil
}
