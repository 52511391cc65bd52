package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"
)

// The inbox is a database file of its own beside the main one, with its own single writer. An
// Ingester with a decoder (the server's) commits each acknowledged delivery there: the raw bytes,
// sealed, with the headers, the hash and whether it repeats an earlier delivery. Those commits
// never wait for the main database's writer, which the deriver holds in long transactions while
// it moves the rows across, in id order, and derives their cases in the same transactions. The
// main database records in inbox_mark the highest inbox id it holds, in that same transaction,
// so a crash anywhere leaves every acknowledged row either in the main database or above the mark
// in the inbox, where the next start finds it. A moved row stays in the inbox for inboxKeep, so a
// replica of the two files (Litestream ships each one's log on its own) that is a little behind
// on the main one still finds the rows that it lacks in the inbox's replica.
//
// Every delivery id comes from the inbox's sequence, including those of deliveries stored
// straight into the main database (Ingest, BulkLoad), so an id is never given twice.

// inboxKeep is how long a row stays in the inbox after its move.
const inboxKeep = 30 * time.Second

// inbox is the inbox database's pools and checkpointer.
type inbox struct {
	path  string
	write *sql.DB
	read  *sql.DB
	ckpt  *checkpointer
}

// InboxPath is where the inbox of the database at path lives.
func InboxPath(path string) string {
	return strings.TrimSuffix(path, ".db") + ".inbox.db"
}

// inbox opens the inbox on first use. Tools that only read the main database never create one.
func (db *DB) inbox(ctx context.Context) (*inbox, error) {
	db.inboxMu.Lock()
	defer db.inboxMu.Unlock()
	if db.ib != nil {
		return db.ib, nil
	}
	if db.inboxClosed {
		return nil, errors.New("store: inbox: database closed")
	}
	ib, err := openInbox(ctx, InboxPath(db.path))
	if err != nil {
		return nil, err
	}
	// A new inbox beside a database with deliveries (an upgrade, a restore) goes on from their ids.
	var mainMax int64
	if err := db.read.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM deliveries`).Scan(&mainMax); err != nil {
		ib.close()
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	if _, err := ib.write.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'inbox'`, mainMax); err != nil {
		ib.close()
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	db.ib = ib
	return ib, nil
}

// openedInbox is the inbox if this process opened it.
func (db *DB) openedInbox() *inbox {
	db.inboxMu.Lock()
	defer db.inboxMu.Unlock()
	return db.ib
}

// existingInbox is the inbox if there is one (opened here, or left on disk by another process),
// or nil.
func (db *DB) existingInbox(ctx context.Context) (*inbox, error) {
	if ib := db.openedInbox(); ib != nil {
		return ib, nil
	}
	if _, err := os.Stat(InboxPath(db.path)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return db.inbox(ctx)
}

func openInbox(ctx context.Context, path string) (*inbox, error) {
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("store: inbox: %w", err)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_stmt_cache_size", "32")
	w, err := sql.Open(writerDriverName, "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: inbox: open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	q.Set("_txlock", "deferred")
	r, err := sql.Open(driverName, "file:"+path+"?"+q.Encode()+"&_query_only=true")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: inbox: open reader: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	ib := &inbox{path: path, write: w, read: r}
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS inbox (
		id           INTEGER PRIMARY KEY AUTOINCREMENT,
		source       TEXT    NOT NULL,
		received_at  TEXT    NOT NULL,
		remote_addr  TEXT    NOT NULL,
		headers      TEXT    NOT NULL,
		body         BLOB,
		sha256       TEXT    NOT NULL,
		size         INTEGER NOT NULL,
		outcome      TEXT    NOT NULL,
		error        TEXT    NOT NULL DEFAULT '',
		duplicate_of INTEGER);
		CREATE INDEX IF NOT EXISTS inbox_first ON inbox(source, sha256) WHERE outcome <> 'duplicate';
		-- The ids alone: counting the rows above the mark (the backlog) reads this, not the bodies.
		CREATE INDEX IF NOT EXISTS inbox_ids ON inbox(id);
		INSERT INTO sqlite_sequence (name, seq) SELECT 'inbox', 0
			WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'inbox');`); err != nil {
		ib.close()
		return nil, fmt.Errorf("store: inbox: schema: %w", err)
	}
	ib.ckpt, err = startCheckpointer("file:" + path + "?" + q.Encode())
	if err != nil {
		ib.close()
		return nil, err
	}
	return ib, nil
}

func (ib *inbox) close() error {
	var errs []error
	if ib.ckpt != nil {
		errs = append(errs, ib.ckpt.close())
	}
	return errors.Join(append(errs, ib.read.Close(), ib.write.Close())...)
}

// reserveDeliveryIDs takes n delivery ids from the inbox's sequence for deliveries stored straight
// into the main database, whose highest id so far is mainMax; it returns the first.
func (db *DB) reserveDeliveryIDs(ctx context.Context, n int, mainMax int64) (int64, error) {
	ib, err := db.inbox(ctx)
	if err != nil {
		return 0, err
	}
	var last int64
	if err := ib.write.QueryRowContext(ctx, `UPDATE sqlite_sequence SET seq = max(seq, ?) + ? WHERE name = 'inbox' RETURNING seq`,
		mainMax, n).Scan(&last); err != nil {
		return 0, fmt.Errorf("store: reserve delivery ids: %w", err)
	}
	return last - int64(n) + 1, nil
}

// inboxRow is one acknowledged delivery as the inbox holds it.
type inboxRow struct {
	source      Source
	received    string
	remote      string
	headers     string
	body        []byte // sealed; nil for a duplicate
	sha         string
	size        int
	outcome     string
	errText     string
	duplicateOf int64
}

// insertInboxBatch commits the deliveries to the inbox in one transaction and returns what the
// acknowledgements say, with the rows for the mover. A delivery repeats an earlier one when a
// first delivery of the same bytes is in the inbox or in the main database; the main database is
// looked at second, so a row on its way across (it leaves the inbox only after its move) is seen.
func (db *DB) insertInboxBatch(ctx context.Context, items []*Incoming) ([]IngestResult, []inboxRow, error) {
	ib, err := db.inbox(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("store: ingest: %w", err)
	}
	// The connection's own transaction (connTx): the lookup of each delivery's bytes starts no
	// goroutine.
	tx, err := beginConnTx(ctx, ib.write)
	if err != nil {
		return nil, nil, fmt.Errorf("store: ingest: begin: %w", err)
	}
	defer tx.Rollback()
	res := make([]IngestResult, len(items))
	rows := make([]inboxRow, len(items))
	for i, in := range items {
		if err := in.prepare(); err != nil {
			return nil, nil, fmt.Errorf("store: ingest: %w", err)
		}
		row := inboxRow{source: in.Source, received: FormatTime(in.ReceivedAt), remote: in.RemoteAddr, headers: in.headers,
			sha: in.sha, size: len(in.Body)}
		first, firstCase, err := db.firstDelivery(ctx, tx, in.Source, in.sha)
		if err != nil {
			return nil, nil, fmt.Errorf("store: ingest: %w", err)
		}
		switch {
		case first != 0:
			row.outcome, row.duplicateOf = OutcomeDuplicate, first
			res[i] = IngestResult{Outcome: OutcomeDuplicate, DuplicateOf: first, CaseID: firstCase}
		case in.Snapshot == nil:
			row.outcome, row.errText = OutcomeQuarantined, "no decoded content"
			if in.DecodeErr != nil {
				row.errText = in.DecodeErr.Error()
			}
		default:
			row.outcome = OutcomeStored
		}
		if row.outcome != OutcomeDuplicate {
			body := in.Body
			if body == nil {
				body = []byte{}
			}
			if row.body, err = db.sealBody(body); err != nil { // the SHA-256 is of the bytes as received
				return nil, nil, fmt.Errorf("store: ingest: seal body: %w", err)
			}
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO inbox (source, received_at, remote_addr, headers, body, sha256, size, outcome, error, duplicate_of)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row.source, row.received, row.remote, row.headers, row.body, row.sha, row.size,
			row.outcome, row.errText, sql.NullInt64{Int64: row.duplicateOf, Valid: row.duplicateOf != 0})
		if err != nil {
			return nil, nil, fmt.Errorf("store: ingest: insert: %w", err)
		}
		id, _ := r.LastInsertId()
		res[i].DeliveryID, res[i].Outcome, res[i].Error = id, row.outcome, row.errText
		rows[i] = row
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fmt.Errorf("store: ingest: commit: %w", err)
	}
	return res, rows, nil
}

// firstDelivery finds the first delivery of these bytes, in the inbox (inside its writer's tx)
// and then in the main database; 0 when there is none.
func (db *DB) firstDelivery(ctx context.Context, tx txn, source Source, sha string) (int64, int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM inbox WHERE source = ? AND sha256 = ? AND outcome <> 'duplicate'`, source, sha).Scan(&id)
	switch {
	case err == nil:
		// Already moved (it stays a while after), the main database knows its case.
		var c sql.NullInt64
		if err := db.read.QueryRowContext(ctx, `SELECT case_id FROM deliveries WHERE id = ?`, id).Scan(&c); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, 0, fmt.Errorf("find first delivery: %w", err)
		}
		return id, c.Int64, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, 0, fmt.Errorf("find first delivery: %w", err)
	}
	var c sql.NullInt64
	err = db.read.QueryRowContext(ctx, `SELECT id, case_id FROM deliveries WHERE source = ? AND sha256 = ? AND outcome <> 'duplicate'`,
		source, sha).Scan(&id, &c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("find first delivery: %w", err)
	}
	return id, c.Int64, nil
}

// inboxMark is the highest inbox id the main database holds.
func inboxMark(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int64, error) {
	var m int64
	if err := q.QueryRowContext(ctx, `SELECT moved FROM inbox_mark`).Scan(&m); err != nil {
		return 0, fmt.Errorf("store: inbox mark: %w", err)
	}
	return m, nil
}

// inboxPending reads up to limit rows above the mark, oldest first, decoding the stored ones.
func (db *DB) inboxPending(ctx context.Context, ib *inbox, mark int64, limit int, decode func(Source, []byte) (*Snapshot, error)) ([]deriveJob, error) {
	rows, err := ib.read.QueryContext(ctx, `SELECT id, source, received_at, remote_addr, headers, body, sha256, size, outcome, error,
		COALESCE(duplicate_of, 0) FROM inbox WHERE id > ? ORDER BY id LIMIT ?`, mark, limit)
	if err != nil {
		return nil, fmt.Errorf("store: inbox: read: %w", err)
	}
	defer rows.Close()
	var jobs []deriveJob
	for rows.Next() {
		var j deriveJob
		r := &inboxRow{}
		if err := rows.Scan(&j.id, &r.source, &r.received, &r.remote, &r.headers, &r.body, &r.sha, &r.size, &r.outcome, &r.errText,
			&r.duplicateOf); err != nil {
			return nil, fmt.Errorf("store: inbox: read: %w", err)
		}
		j.row, j.received = r, r.received
		if r.outcome == OutcomeStored {
			j.snap, j.problem = db.decodeStored(r.source, r.body, decode)
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// decodeStored opens and decodes a stored body; a body that does not becomes the reason why.
func (db *DB) decodeStored(source Source, sealed []byte, decode func(Source, []byte) (*Snapshot, error)) (*Snapshot, string) {
	// The body is stored sealed under the data key (encryption at rest). One that does not open (a
	// damaged row, a key line removed too early) is quarantined with the reason and can be
	// replayed once the key is back; the rest of the backlog goes on.
	body, err := db.openBody(sealed)
	if err != nil {
		return nil, "the stored body cannot be decrypted: " + err.Error()
	}
	snap, err := decode(source, body)
	switch {
	case err != nil:
		return nil, err.Error()
	case snap == nil:
		return nil, "no decoded content"
	case snap.Ref == "":
		return nil, "could not apply to case: " + errNoRef.Error()
	}
	return snap, ""
}

// moveOne inserts one inbox row into the main database with its id, and derives its case when it
// is a stored delivery. careful puts the derivation under a savepoint, so a case that cannot be
// derived leaves its delivery quarantined with the reason instead of failing the transaction.
// It reports whether a case was derived.
func (db *DB) moveOne(ctx context.Context, tx txn, j deriveJob, careful bool) (bool, error) {
	r := j.row
	switch r.outcome {
	case OutcomeDuplicate:
		// Its first delivery has a smaller id, so it is in the main database by now.
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries
			(id, source, received_at, remote_addr, headers, body, sha256, size, outcome, duplicate_of, case_id)
			VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 'duplicate', ?, (SELECT case_id FROM deliveries WHERE id = ?))`,
			j.id, r.source, r.received, r.remote, r.headers, r.sha, r.size, r.duplicateOf, r.duplicateOf); err != nil {
			return false, fmt.Errorf("store: move %d: %w", j.id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET duplicates = duplicates + 1 WHERE id = ?`, r.duplicateOf); err != nil {
			return false, fmt.Errorf("store: move %d: count duplicate: %w", j.id, err)
		}
		return false, nil
	case OutcomeQuarantined:
		_, err := tx.ExecContext(ctx, `INSERT INTO deliveries
			(id, source, received_at, remote_addr, headers, body, sha256, size, outcome, error,
			ref, final, overall, auto_document, auto_face, manual_document, manual_face, fraud_tags, mismatch_tags, derived)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'quarantined', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
			append([]any{j.id, r.source, r.received, r.remote, r.headers, r.body, r.sha, r.size, r.errText}, summarize(nil)...)...)
		if err != nil {
			return false, fmt.Errorf("store: move %d: %w", j.id, err)
		}
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries
		(id, source, received_at, remote_addr, headers, body, sha256, size, outcome,
		ref, final, overall, auto_document, auto_face, manual_document, manual_face, fraud_tags, mismatch_tags, derived)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'stored', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
		append([]any{j.id, r.source, r.received, r.remote, r.headers, r.body, r.sha, r.size}, summarize(j.snap)...)...); err != nil {
		return false, fmt.Errorf("store: move %d: %w", j.id, err)
	}
	if j.snap == nil {
		return false, quarantineUnderived(ctx, tx, j.id, j.problem)
	}
	if err := recordSchemaWarnings(ctx, tx, j.id, j.snap); err != nil {
		return false, err
	}
	if !careful {
		if _, err := db.applySnapshot(ctx, tx, j.id, j.snap, j.snapJSON, j.received); err != nil {
			return false, errRetryCarefully
		}
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT derive"); err != nil {
		return false, fmt.Errorf("store: derive: savepoint: %w", err)
	}
	derived := true
	if _, err := db.applySnapshot(ctx, tx, j.id, j.snap, j.snapJSON, j.received); err != nil {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO derive"); rerr != nil {
			return false, fmt.Errorf("store: derive: rollback to savepoint: %w", rerr)
		}
		if err := quarantineUnderived(ctx, tx, j.id, fmt.Sprintf("could not apply to case: %v", err)); err != nil {
			return false, err
		}
		derived = false
	}
	if _, err := tx.ExecContext(ctx, "RELEASE derive"); err != nil {
		return false, fmt.Errorf("store: derive: release: %w", err)
	}
	return derived, nil
}

// moveSlice bounds how long one move transaction holds the main database's writer: the
// acknowledgements no longer wait for it, but a reviewer's decision does.
const moveSlice = 40 * time.Millisecond

// moveTxStarted, when set (by tests only), is called at the start of every move transaction, on
// the thread that runs it.
var moveTxStarted func()

// moveTx moves up to limit of jobs (consecutive inbox rows above the mark, in id order) into the
// main database in one transaction, deriving their cases, and raises the mark to the last one
// moved. It stops early (optimistic mode only) once moveSlice has passed. It returns how many jobs
// it went through and how many cases it updated; errRetryCarefully means: redo the same count
// with careful set.
func (db *DB) moveTx(ctx context.Context, jobs []deriveJob, limit int, careful bool) (int, int, error) {
	if moveTxStarted != nil {
		moveTxStarted()
	}
	// At synchronous = FULL, like every write but the main backlog's derivations: a move at
	// NORMAL left its pages for the checkpointer to sync in bursts of a tenth of a second's cases,
	// and the acknowledgements' syncs queued behind them (1 sender: p99 9.7-10.8 ms against
	// 5.3-5.5 at FULL, BenchmarkIngest, same sitting). So a committed move is durable, and its
	// rows may leave the inbox. The transaction is the connection's own (connTx), so that its
	// queries start no goroutines.
	tx, err := beginConnTx(ctx, db.write)
	if err != nil {
		return 0, 0, fmt.Errorf("store: move: begin: %w", err)
	}
	defer tx.Rollback()
	mark, err := inboxMark(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	derived, used := 0, 0
	last := mark
	for _, j := range jobs[:limit] {
		if !careful && used > 0 && time.Since(start) > moveSlice {
			break
		}
		used++
		if j.id <= mark {
			continue // moved already, by a read of the table
		}
		d, err := db.moveOne(ctx, tx, j, careful)
		if errors.Is(err, errRetryCarefully) {
			return used, 0, err
		}
		if err != nil {
			return 0, 0, err
		}
		if d {
			derived++
		}
		last = j.id
	}
	if last > mark {
		if _, err := tx.ExecContext(ctx, `UPDATE inbox_mark SET moved = ?`, last); err != nil {
			return 0, 0, fmt.Errorf("store: move: mark: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("store: move: commit: %w", err)
	}
	return used, derived, nil
}

// inboxConsecutive reports whether jobs (in id order) are every inbox row above mark up to the
// last of them: the mover may move them from memory only then, never past a row it has not got.
func (db *DB) inboxConsecutive(ctx context.Context, ib *inbox, mark int64, jobs []deriveJob) (bool, error) {
	want := 0
	for _, j := range jobs {
		if j.id > mark {
			want++
		}
	}
	if want == 0 {
		return true, nil
	}
	var n int
	if err := ib.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE id > ? AND id <= ?`, mark, jobs[len(jobs)-1].id).Scan(&n); err != nil {
		return false, fmt.Errorf("store: inbox: %w", err)
	}
	return n == want, nil
}

// prune deletes the inbox rows up to upTo, moved at least inboxKeep ago.
func (ib *inbox) prune(ctx context.Context, upTo int64) error {
	if _, err := ib.write.ExecContext(ctx, `DELETE FROM inbox WHERE id <= ?`, upTo); err != nil {
		return fmt.Errorf("store: inbox: prune: %w", err)
	}
	return nil
}

// inboxBacklog counts the acknowledged rows still in the inbox above the mark, and the oldest's arrival.
func (db *DB) inboxBacklog(ctx context.Context) (int, string, error) {
	ib, err := db.existingInbox(ctx)
	if ib == nil || err != nil {
		return 0, "", err
	}
	mark, err := inboxMark(ctx, db.read)
	if err != nil {
		return 0, "", err
	}
	var n int
	var oldest sql.NullString
	if err := ib.read.QueryRowContext(ctx, `SELECT COUNT(*), (SELECT received_at FROM inbox WHERE id > ?1 ORDER BY id LIMIT 1)
		FROM inbox WHERE id > ?1`, mark).Scan(&n, &oldest); err != nil {
		return 0, "", fmt.Errorf("store: inbox backlog: %w", err)
	}
	return n, oldest.String, nil
}

// inInbox reports whether the delivery is in the inbox, not moved yet.
func (db *DB) inInbox(ctx context.Context, id int64) (bool, error) {
	ib, err := db.existingInbox(ctx)
	if ib == nil || err != nil {
		return false, err
	}
	mark, err := inboxMark(ctx, db.read)
	if err != nil || id <= mark {
		return false, err
	}
	var n int
	if err := ib.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE id = ?`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("store: inbox: %w", err)
	}
	return n > 0, nil
}
