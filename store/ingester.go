package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// IngesterOptions configures an Ingester.
type IngesterOptions struct {
	// MaxBatch caps how many deliveries share one transaction; 0 means 128.
	MaxBatch int
	// Decode turns a stored raw body back into a snapshot. With it, the acknowledgement waits only
	// for the raw delivery's commit and the case is derived afterwards, in batches (see Ingester);
	// the deriver decodes with it when it resumes from the table after a restart or after its
	// in-memory queue overflowed. Without it, every delivery is derived inside the transaction
	// that the acknowledgement waits for.
	Decode func(Source, []byte) (*Snapshot, error)
	// OnDerived, when set, is called after each derivation commit with the number of cases it
	// updated (the media fetcher is woken there). It must not block.
	OnDerived func(n int)
	// OnError, when set, is told about a derivation batch that could not commit; the deliveries
	// stay in the backlog and are retried.
	OnError func(error)

	// queue is the deriver's in-memory queue length; 0 means 16 transactions' worth. Tests make it
	// tiny so that it overflows.
	queue int
}

// Ingester batches concurrent deliveries into shared transactions (group commit), so many
// senders pay for one fsync. Submit returns only once the delivery's raw bytes are durable.
//
// With IngesterOptions.Decode, that is all the acknowledgement waits for: the raw row commits to
// the inbox, a database file with its own writer (inbox.go), and a second loop moves the rows into
// the main database in id order and derives their cases (case row, search words, tags, media
// rows, history, counts), many per transaction. The main database's inbox_mark is raised in the
// transaction that moves them, so a kill -9 between the two leaves the rows above the mark, and
// the next start moves them.
type Ingester struct {
	db       *DB
	opts     IngesterOptions
	maxBatch int
	reqs     chan *ingestReq
	wg       sync.WaitGroup
	closing  chan struct{}
	once     sync.Once
	// mu makes "not closed yet" and "queued" one step for Submit: Close takes it exclusively,
	// so no request can be queued after the loop has drained and gone.
	mu sync.RWMutex

	// The deriver's queue holds what the raw commits handed over, already decoded. When it is
	// full the job is dropped and fromTable set: the deriver then reads the backlog from the
	// table instead, where every dropped job still is.
	jobs      chan deriveJob
	fromTable atomic.Bool
	rawDone   chan struct{} // closed when the raw loop has drained and stopped
	// marks are the mover's recent marks, oldest first, for pruning the inbox inboxKeep behind.
	marks  []movedMark
	pruned int64
	// low is the thread the mover moves on while it keeps up (lowprio.go); boosted says it is
	// behind and moving at the normal priority (the deriver's goroutine only).
	low     *lowThread
	boosted bool
	// runStart is when the mover's current run of transactions began, held how long they held
	// the writer since, lastTx when the last one ended (yield, the deriver's goroutine only).
	runStart, lastTx time.Time
	held             time.Duration
}

// movedMark is the inbox mark at a time.
type movedMark struct {
	at   time.Time
	mark int64
}

type ingestReq struct {
	in   *Incoming
	done chan ingestDone
}

type ingestDone struct {
	res IngestResult
	err error
}

// deriveJob is one durable, stored delivery whose case is still to be derived.
type deriveJob struct {
	id       int64
	snap     *Snapshot
	snapJSON []byte
	received string
	queued   time.Time // when the raw commit handed it over (zero when read back from the table)
	// problem is why a body read back from the table cannot become a case (snap is nil then).
	problem string
	// row is the delivery as the inbox holds it, to be moved into the main database.
	row *inboxRow
}

// deriveBatch caps the deliveries derived in one transaction of the main database's backlog
// (deliveries acknowledged there by an earlier version).
const deriveBatch = 256

// moveBatch caps the inbox rows the mover takes at once; moveSlice bounds a transaction's length.
const moveBatch = 1024

// NewIngester starts the group-commit loop (and, with opts.Decode, the deriver). Close stops
// them after draining.
func (db *DB) NewIngester(opts IngesterOptions) *Ingester {
	if opts.MaxBatch < 1 {
		opts.MaxBatch = 128
	}
	g := &Ingester{db: db, opts: opts, maxBatch: opts.MaxBatch, reqs: make(chan *ingestReq, opts.MaxBatch*4),
		closing: make(chan struct{}), rawDone: make(chan struct{})}
	g.wg.Add(1)
	go g.loop()
	if opts.Decode != nil {
		if opts.queue < 1 {
			opts.queue = 8 * moveBatch
		}
		g.jobs = make(chan deriveJob, opts.queue)
		g.low = startLowThread()
		// Whatever an earlier process acknowledged but did not derive is in the table.
		g.fromTable.Store(true)
		g.wg.Add(1)
		go g.deriveLoop()
	} else {
		close(g.rawDone)
	}
	return g
}

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("store: ingester closed")

// Submit queues a delivery and waits until its transaction commits.
func (g *Ingester) Submit(ctx context.Context, in *Incoming) (IngestResult, error) {
	if err := in.prepare(); err != nil {
		return IngestResult{}, err
	}
	req := &ingestReq{in: in, done: make(chan ingestDone, 1)}
	g.mu.RLock()
	select {
	case <-g.closing:
		g.mu.RUnlock()
		return IngestResult{}, ErrClosed
	default:
	}
	select {
	case g.reqs <- req:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return IngestResult{}, ctx.Err()
	}
	// Once queued, wait for the commit even if the client goes away: the outcome must be decided.
	d := <-req.done
	return d.res, d.err
}

// Close stops accepting deliveries, commits those queued, derives the whole backlog, and returns.
func (g *Ingester) Close() {
	g.once.Do(func() {
		g.mu.Lock()
		close(g.closing)
		g.mu.Unlock()
	})
	g.wg.Wait()
}

func (g *Ingester) loop() {
	defer g.wg.Done()
	if g.opts.Decode != nil {
		defer close(g.rawDone)
	}
	batch := make([]*ingestReq, 0, g.maxBatch)
	for {
		var first *ingestReq
		select {
		case first = <-g.reqs:
		case <-g.closing:
			// Drain whatever was queued before close.
			for {
				select {
				case r := <-g.reqs:
					g.commit([]*ingestReq{r})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < g.maxBatch {
			select {
			case r := <-g.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		g.commit(batch)
	}
}

func (g *Ingester) commit(batch []*ingestReq) {
	items := make([]*Incoming, len(batch))
	for i, r := range batch {
		items[i] = r.in
	}
	// The batch is not tied to any one request's context: a sender hanging up must not undo the others.
	var (
		res  []IngestResult
		rows []inboxRow
		err  error
	)
	if g.opts.Decode == nil {
		res, err = g.db.ingestBatch(context.Background(), items)
	} else {
		res, rows, err = g.db.insertInboxBatch(context.Background(), items)
		if err == nil {
			g.handOver(items, res, rows)
		}
	}
	for i, r := range batch {
		if err != nil {
			r.done <- ingestDone{err: err}
			continue
		}
		r.done <- ingestDone{res: res[i]}
	}
}

// handOver gives the mover the committed inbox rows, in id order, without ever blocking the raw
// commits: a job that does not fit is left to be read back from the inbox.
func (g *Ingester) handOver(items []*Incoming, res []IngestResult, rows []inboxRow) {
	now := time.Now()
	for i, in := range items {
		if g.fromTable.Load() {
			// Already behind: the table read will find this one, and queueing it now would only
			// let it overtake older ones still in the table.
			continue
		}
		j := deriveJob{id: res[i].DeliveryID, received: rows[i].received, queued: now, row: &rows[i]}
		if rows[i].outcome == OutcomeStored {
			j.snap, j.snapJSON = in.Snapshot, in.snapJSON
		}
		select {
		case g.jobs <- j:
		default:
			g.fromTable.Store(true)
		}
	}
	// Wake the deriver even when nothing was queued, so a switch to the table is noticed.
	select {
	case g.jobs <- deriveJob{}:
	default:
	}
}

// deriveRetry is how long the deriver waits after a derivation transaction failed (disk full,
// say) before it tries the backlog again.
const deriveRetry = time.Second

// deriveLoop derives the cases of acknowledged deliveries until the raw loop has stopped and the
// backlog is empty.
func (g *Ingester) deriveLoop() {
	defer g.wg.Done()
	defer g.low.stop()
	// Background, never a context that can be cancelled: the driver then runs each statement on
	// the calling goroutine's thread, so the low thread's priority applies to SQLite's own work
	// (with a Done channel, go-sqlite3 runs it on a goroutine of its own, on any thread).
	ctx := context.Background()
	batch := make([]deriveJob, 0, moveBatch)
	for {
		if g.fromTable.Swap(false) {
			if err := g.deriveTable(ctx); err != nil {
				g.failed(err)
				g.fromTable.Store(true)
				select {
				case <-time.After(deriveRetry):
				case <-g.rawDone:
					return // the backlog stays in the table for the next start
				}
			}
			continue
		}
		var first deriveJob
		select {
		case first = <-g.jobs:
		case <-g.rawDone:
			// No more raw commits: finish what is queued, then the table, then stop.
			g.drainJobs()
			if err := g.deriveTable(ctx); err != nil {
				g.failed(err)
			}
			return
		}
		batch = batch[:0]
		if first.id != 0 {
			batch = append(batch, first)
		}
	fill:
		for len(batch) < moveBatch {
			select {
			case j := <-g.jobs:
				if j.id != 0 {
					batch = append(batch, j)
				}
			default:
				break fill
			}
		}
		if g.fromTable.Load() {
			// The raw loop dropped a job: everything from here on is read back from the table, in
			// order, so these (which are there too) are not derived ahead of older dropped ones.
			continue
		}
		if len(batch) == 0 {
			continue
		}
		if err := g.moveQueued(ctx, batch); err != nil {
			g.failed(err)
			g.fromTable.Store(true)
		}
	}
}

// moveQueued moves jobs handed over by the raw commits, provided they are every row above the
// mark up to the last of them; otherwise it leaves them to a read of the inbox.
func (g *Ingester) moveQueued(ctx context.Context, jobs []deriveJob) error {
	ib, err := g.db.inbox(ctx)
	if err != nil {
		return err
	}
	mark, err := inboxMark(ctx, g.db.read)
	if err != nil {
		return err
	}
	ok, err := g.db.inboxConsecutive(ctx, ib, mark, jobs)
	if err != nil {
		return err
	}
	if !ok {
		g.fromTable.Store(true)
		return nil
	}
	return g.move(ctx, ib, jobs)
}

// move moves jobs into the main database and derives their cases, in order, in transactions of at
// most about moveSlice each. Like ingestBatch it tries a transaction straight through first; if a
// case cannot be derived it redoes it with a savepoint per delivery, and that delivery ends in the
// quarantine with the reason, its raw bytes kept.
func (g *Ingester) move(ctx context.Context, ib *inbox, jobs []deriveJob) error {
	return g.inTransactions(ctx, jobs, g.db.moveTx, func() {
		if err := g.prune(ctx, ib); err != nil {
			g.failed(err)
		}
	})
}

// inTransactions runs jobs through txFn (moveTx or deriveTx) until all are done: each
// transaction optimistic first, redone with careful set if it asks (errRetryCarefully). After
// each commit it counts the cases, wakes the outbox and the waiters, then calls after (if set).
// Each transaction runs on the thread g.thread picks; the rest, after included, on the deriver's.
func (g *Ingester) inTransactions(ctx context.Context, jobs []deriveJob,
	txFn func(context.Context, []deriveJob, int, bool) (int, int, error), after func()) error {
	for len(jobs) > 0 {
		g.yield()
		run := g.thread(jobs[0].queued)
		var used, n int
		began := time.Now()
		err := run(func() (err error) { used, n, err = txFn(ctx, jobs, len(jobs), false); return err })
		if errors.Is(err, errRetryCarefully) {
			limit := used
			err = run(func() (err error) { used, n, err = txFn(ctx, jobs, limit, true); return err })
		}
		g.lastTx = time.Now()
		g.held += g.lastTx.Sub(began)
		if err != nil {
			return err
		}
		jobs = jobs[used:]
		// Counted before the waiters wake, so whoever sees the case also sees it counted.
		if n > 0 && g.opts.OnDerived != nil {
			g.opts.OnDerived(n)
		}
		g.db.signalOutbox()
		g.db.signalDerived()
		if after != nil {
			after()
		}
	}
	return nil
}

// The mover leaves the main database's write lock free for yieldFor when its transactions held
// it for most of the last yieldEvery. Another process that needs the lock (Litestream, which
// writes its own bookkeeping rows and, as docs/litestream.yml sets it, waits up to 5 s; a command
// such as user add, 10 s) waits with SQLite's busy handler, which looks again at most every
// 100 ms: the few microseconds between two transactions are too short for it to see, and while
// the mover worked through a burst the replica fell behind for as long as the burst lasted
// (TestLitestreamKillAndRestore found no replica at all in two runs of five; with a window every
// 2 s, in one of five). A window longer than the handler's step, in every stretch of yieldEvery
// the lock was held, lets every waiter in within its timeout. It costs the mover
// yieldFor/(yieldEvery+yieldFor), 10 % of its time, only while it holds the lock nine tenths of
// the time or more, as when it cannot keep up.
const (
	yieldEvery = time.Second
	yieldFor   = 110 * time.Millisecond
)

// yield, called before each transaction, pauses for yieldFor once the transactions since the
// run began (yieldEvery or more ago) held the writer nine tenths of that time. A pause of the
// mover's own (no work for yieldFor) starts a new run.
func (g *Ingester) yield() {
	now := time.Now()
	if now.Sub(g.lastTx) >= yieldFor {
		g.runStart, g.held = now, 0
		return
	}
	if wall := now.Sub(g.runStart); wall >= yieldEvery {
		if g.held*10 >= wall*9 {
			time.Sleep(yieldFor)
		}
		g.runStart, g.held = time.Now(), 0
	}
}

// prune deletes the inbox rows that were moved at least inboxKeep ago. Once a second it notes
// the mark.
func (g *Ingester) prune(ctx context.Context, ib *inbox) error {
	now := time.Now()
	if n := len(g.marks); n == 0 || now.Sub(g.marks[n-1].at) >= time.Second {
		mark, err := inboxMark(ctx, g.db.read)
		if err != nil {
			return err
		}
		g.marks = append(g.marks, movedMark{at: now, mark: mark})
	}
	upTo := int64(0)
	for len(g.marks) > 0 && now.Sub(g.marks[0].at) >= inboxKeep {
		upTo = g.marks[0].mark
		g.marks = g.marks[1:]
	}
	if upTo <= g.pruned {
		return nil
	}
	if err := ib.prune(ctx, upTo); err != nil {
		return err
	}
	g.pruned = upTo
	return nil
}

// drainJobs discards the queued jobs: deriveTable then finds every one of them in the table.
func (g *Ingester) drainJobs() {
	for {
		select {
		case <-g.jobs:
		default:
			return
		}
	}
}

func (g *Ingester) failed(err error) {
	if g.opts.OnError != nil {
		g.opts.OnError(err)
	}
}

// deriveTable derives the backlog as the tables hold it, oldest first, decoding the raw bodies:
// the main database's (deliveries an earlier version acknowledged there), then the inbox's.
func (g *Ingester) deriveTable(ctx context.Context) error {
	// Jobs queued before now are all in the inbox; dropping them keeps the order.
	g.drainJobs()
	if err := g.deriveMain(ctx); err != nil {
		return err
	}
	ib, err := g.db.inbox(ctx)
	if err != nil {
		return err
	}
	for {
		mark, err := inboxMark(ctx, g.db.read)
		if err != nil {
			return err
		}
		jobs, err := g.db.inboxPending(ctx, ib, mark, moveBatch, g.opts.Decode)
		if err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		if err := g.move(ctx, ib, jobs); err != nil {
			return err
		}
		if len(jobs) < moveBatch {
			return nil
		}
	}
}

// deriveMain derives the deliveries the main database holds marked derived = 0.
func (g *Ingester) deriveMain(ctx context.Context) error {
	for {
		jobs, err := g.db.underived(ctx, deriveBatch, g.opts.Decode)
		if err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		if err := g.derive(ctx, jobs); err != nil {
			return err
		}
		if len(jobs) < deriveBatch {
			return nil
		}
	}
}

// underived reads up to limit deliveries of the backlog, oldest first, decoded. A body that no
// longer decodes comes back with a nil snapshot and the reason, to be quarantined.
func (db *DB) underived(ctx context.Context, limit int, decode func(Source, []byte) (*Snapshot, error)) ([]deriveJob, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, source, COALESCE(body, x''), received_at FROM deliveries
		WHERE derived = 0 ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: derive: backlog: %w", err)
	}
	defer rows.Close()
	var jobs []deriveJob
	for rows.Next() {
		var (
			j      deriveJob
			source Source
			body   []byte
		)
		if err := rows.Scan(&j.id, &source, &body, &j.received); err != nil {
			return nil, fmt.Errorf("store: derive: backlog: %w", err)
		}
		j.snap, j.problem = db.decodeStored(source, body, decode)
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}

// derive derives the cases of jobs, in order, in transactions of at most about moveSlice each.
// Like ingestBatch it tries a transaction straight through first; if any delivery fails it redoes
// it with a savepoint per delivery, and the one that failed ends in the quarantine with the
// reason, its raw bytes kept.
func (g *Ingester) derive(ctx context.Context, jobs []deriveJob) error {
	return g.inTransactions(ctx, jobs, g.db.deriveTx, nil)
}

// deriveTx derives up to limit of jobs in one transaction, stopping early (optimistic mode only)
// once moveSlice has passed. It returns how many jobs it went through and how many cases it
// updated; errRetryCarefully means: redo the same count with careful set.
func (db *DB) deriveTx(ctx context.Context, jobs []deriveJob, limit int, careful bool) (int, int, error) {
	conn, err := db.lazyWriter(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: derive: %w", err)
	}
	defer conn.release()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("store: derive: begin: %w", err)
	}
	defer tx.Rollback()
	start := time.Now()
	derived, used := 0, 0
	for _, j := range jobs[:limit] {
		if !careful && used > 0 && time.Since(start) > moveSlice {
			break
		}
		used++
		// The marker is the truth: a job read back from the table may have been derived already.
		var pending bool
		if err := tx.QueryRowContext(ctx, `SELECT derived = 0 FROM deliveries WHERE id = ?`, j.id).Scan(&pending); err != nil {
			return 0, 0, fmt.Errorf("store: derive %d: %w", j.id, err)
		}
		if !pending {
			continue
		}
		if j.snap == nil {
			if err := quarantineUnderived(ctx, tx, j.id, j.problem); err != nil {
				return 0, 0, err
			}
			continue
		}
		if !careful {
			if _, err := db.applySnapshot(ctx, tx, j.id, j.snap, j.snapJSON, j.received); err != nil {
				return used, 0, errRetryCarefully
			}
			derived++
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT derive"); err != nil {
			return 0, 0, fmt.Errorf("store: derive: savepoint: %w", err)
		}
		if _, err := db.applySnapshot(ctx, tx, j.id, j.snap, j.snapJSON, j.received); err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO derive"); rerr != nil {
				return 0, 0, fmt.Errorf("store: derive: rollback to savepoint: %w", rerr)
			}
			if err := quarantineUnderived(ctx, tx, j.id, fmt.Sprintf("could not apply to case: %v", err)); err != nil {
				return 0, 0, err
			}
		} else {
			derived++
		}
		if _, err := tx.ExecContext(ctx, "RELEASE derive"); err != nil {
			return 0, 0, fmt.Errorf("store: derive: release: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("store: derive: commit: %w", err)
	}
	return used, derived, nil
}

// quarantineUnderived moves a delivery whose case cannot be derived to the quarantine, as the
// inline path does: outcome quarantined, the reason kept, no summary, replayable.
func quarantineUnderived(ctx context.Context, tx txn, id int64, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET outcome = 'quarantined', error = ?, derived = 1,
		ref = ?, final = ?, overall = ?, auto_document = ?, auto_face = ?, manual_document = ?, manual_face = ?,
		fraud_tags = ?, mismatch_tags = ? WHERE id = ?`, append(append([]any{reason}, summarize(nil)...), id)...); err != nil {
		return fmt.Errorf("store: derive: quarantine %d: %w", id, err)
	}
	return nil
}

// signalDerived wakes every WaitDerived.
func (db *DB) signalDerived() {
	db.derivedMu.Lock()
	if db.derivedCh != nil {
		close(db.derivedCh)
		db.derivedCh = nil
	}
	db.derivedMu.Unlock()
}

// derivedSignal is closed at the next derivation commit.
func (db *DB) derivedSignal() <-chan struct{} {
	db.derivedMu.Lock()
	defer db.derivedMu.Unlock()
	if db.derivedCh == nil {
		db.derivedCh = make(chan struct{})
	}
	return db.derivedCh
}

// WaitDerived returns once the delivery's case has been derived (or the delivery quarantined by
// the deriver), or when ctx ends. A delivery stored by Ingest, a duplicate or one quarantined on
// arrival returns at once. It wakes on derivation commits rather than polling.
func (db *DB) WaitDerived(ctx context.Context, deliveryID int64) error {
	for {
		wake := db.derivedSignal()
		var derived bool
		err := db.read.QueryRowContext(ctx, `SELECT derived FROM deliveries WHERE id = ?`, deliveryID).Scan(&derived)
		if errors.Is(err, sql.ErrNoRows) {
			// Not in the main database: still in the inbox, or moved since it was looked at.
			waiting, ierr := db.inInbox(ctx, deliveryID)
			if ierr != nil {
				return fmt.Errorf("store: wait for delivery %d: %w", deliveryID, ierr)
			}
			err = nil
			if !waiting {
				err = db.read.QueryRowContext(ctx, `SELECT derived FROM deliveries WHERE id = ?`, deliveryID).Scan(&derived)
			}
		}
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: delivery %d: %w", deliveryID, errNoSuchThing)
		}
		if err != nil {
			return fmt.Errorf("store: wait for delivery %d: %w", deliveryID, err)
		}
		if derived {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("store: wait for delivery %d: %w", deliveryID, ctx.Err())
		}
	}
}

// DeriveBacklog is the acknowledged deliveries whose case is not derived yet.
type DeriveBacklog struct {
	Count int
	// Oldest is when the oldest of them arrived; zero when there are none.
	Oldest time.Time
}

// DeriveBacklog counts the backlog: the inbox's rows above the mark, and the main database's
// deliveries marked derived = 0 (from its partial index, which holds only those rows).
func (db *DB) DeriveBacklog(ctx context.Context) (DeriveBacklog, error) {
	var b DeriveBacklog
	var oldest sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), (SELECT received_at FROM deliveries WHERE derived = 0 ORDER BY id LIMIT 1)
		FROM deliveries WHERE derived = 0`).Scan(&b.Count, &oldest); err != nil {
		return b, fmt.Errorf("store: derive backlog: %w", err)
	}
	n, inboxOldest, err := db.inboxBacklog(ctx)
	if err != nil {
		return b, err
	}
	b.Count += n
	switch {
	case oldest.Valid:
		b.Oldest = ParseTime(oldest.String)
	case inboxOldest != "":
		b.Oldest = ParseTime(inboxOldest)
	}
	return b, nil
}

// WaitBacklogEmpty returns once no acknowledged delivery is waiting for its case, or when ctx
// ends; like WaitDerived it wakes on derivation commits.
func (db *DB) WaitBacklogEmpty(ctx context.Context) error {
	for {
		wake := db.derivedSignal()
		b, err := db.DeriveBacklog(ctx)
		if err != nil {
			return err
		}
		if b.Count == 0 {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("store: wait for the backlog (%d left): %w", b.Count, ctx.Err())
		}
	}
}
