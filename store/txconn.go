package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// txn is what the statements of one write transaction run on: an *sql.Tx, or a connTx. Commit
// and Rollback are in it so that a connection pool (*sql.DB, *sql.Conn), whose statements would run
// outside the transaction, cannot be passed for one. Every Rows a function opens on it is closed
// before it returns: a connTx gives its connection back only once they are (an *sql.Tx closes
// them itself at its end).
type txn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	Commit() error
	Rollback() error
}

// connTx is a write transaction that a connection of the pool runs itself, BEGIN IMMEDIATE …
// COMMIT, for the mover's many small statements. An *sql.Tx gives every query a goroutine of
// its own, which waits for the transaction's context to end (database/sql's Rows.awaitDone,
// whatever the context the query was given): for the mover, several goroutines a case, each
// started and woken on another thread while the mover's own waits (BenchmarkMove: 221–251 µs a
// callback with them, 173–197 without, alternated). On the connection, a query given a context
// that cannot end starts none.
type connTx struct {
	conn *sql.Conn
	// stmts are the statements prepared in the transaction, closed at its end as an *sql.Tx
	// closes its own: one left open when the connection closes keeps SQLite's connection, and its
	// locks, alive.
	stmts []*sql.Stmt
	done  bool
}

// beginConnTx takes a connection of pool and begins an immediate transaction on it.
func beginConnTx(ctx context.Context, pool *sql.DB) (*connTx, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		return nil, err
	}
	return &connTx{conn: conn}, nil
}

// uncancelled is ctx without its end: the transaction's statements run with it, since with a
// context that can end go-sqlite3 starts a goroutine per statement, and an interrupted statement
// would not end the transaction.
func uncancelled(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func (t *connTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.conn.ExecContext(uncancelled(ctx), query, args...)
}

func (t *connTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(uncancelled(ctx), query, args...)
}

func (t *connTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(uncancelled(ctx), query, args...)
}

func (t *connTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := t.conn.PrepareContext(uncancelled(ctx), query)
	if err == nil {
		t.stmts = append(t.stmts, st)
	}
	return st, err
}

// closeStmts closes the statements prepared in the transaction.
func (t *connTx) closeStmts() error {
	var errs []error
	for _, st := range t.stmts {
		errs = append(errs, st.Close())
	}
	t.stmts = nil
	return errors.Join(errs...)
}

// Commit commits the transaction and gives the connection back to the pool; after a failed
// COMMIT it rolls back what SQLite still holds open first.
func (t *connTx) Commit() error {
	if t.done {
		return sql.ErrTxDone
	}
	if _, err := t.conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		return errors.Join(err, t.Rollback())
	}
	t.done = true
	return errors.Join(t.closeStmts(), t.conn.Close())
}

// Rollback rolls the transaction back, if SQLite still holds it open (it ends some itself, on
// a full disk for one), and gives the connection back to the pool. A connection that is still
// inside a transaction afterwards is closed instead, so that nothing else ever runs in it.
// After Commit it does nothing, so it can be deferred.
func (t *connTx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	stmtErr := t.closeStmts()
	var rollbackErr error
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok { // the pool drops it: its transaction's state is unknown
			return errors.Join(driver.ErrBadConn, fmt.Errorf("store: transaction on a %T connection", dc))
		}
		if c.AutoCommit() {
			return nil // no transaction open
		}
		if _, rollbackErr = c.Exec("ROLLBACK", nil); rollbackErr != nil || !c.AutoCommit() {
			return driver.ErrBadConn // the pool drops it
		}
		return nil
	})
	if closeErr := t.conn.Close(); err == nil {
		err = closeErr
	}
	if rollbackErr != nil {
		return fmt.Errorf("store: rollback: %w", rollbackErr)
	}
	if errors.Is(err, driver.ErrBadConn) {
		return fmt.Errorf("store: rollback left the transaction open: the connection was dropped (%w)", err)
	}
	return errors.Join(stmtErr, err)
}
