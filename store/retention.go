package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Tombstone is the proof that one item was purged: what, the SHA-256 and size of its bytes, when
// and under which policy, and the audit entry written in the same transaction.
type Tombstone struct {
	ID       int64
	CaseID   int64
	Kind     string // "media", "raw_body" or "personal_fields"
	Item     string
	SHA256   string
	Size     int64
	PurgedAt time.Time
	Policy   string
	AuditID  int64
}

// RetentionRun counts what one pass of the retention job did.
type RetentionRun struct {
	MediaCases    int      // cases whose media were purged
	Pseudonymised int      // cases whose personal fields were pseudonymised
	Tombstones    int      // items recorded
	Removed       []string // media files deleted from the archive (by SHA-256)
}

// retentionBatch bounds how many cases one purge transaction handles, so callbacks keep flowing.
const retentionBatch = 100

// retentionCandidate is a finally decided (or vendor-settled) case not under a hold, with what is
// left to purge.
type retentionCandidate struct {
	id                  int64
	source              Source
	outcome             string
	finalAt             time.Time
	mediaDone, pseudoed bool
}

// ApplyRetention purges, in batches, what the retention policies say is due at the desk's clock:
// the raw media of cases finally decided MediaDays ago, and the personal fields and raw bodies of
// those decided PseudonymiseYears ago. A case with no final decision, or under a legal hold, is
// never touched. Every purged item leaves a tombstone, and each case's purge writes one audit entry
// naming the items by id and hash, in the same transaction. remove deletes a media file; it runs
// inside the transaction (see PurgeMedia) and must treat a missing file as done.
func (db *DB) ApplyRetention(ctx context.Context, remove func(sha string) error) (RetentionRun, error) {
	var run RetentionRun
	var after int64
	// A final decision comes after the case's first callback, so a case first seen more recently
	// than the shortest period cannot be due: those are skipped without reading their decisions.
	now := db.Now().UTC()
	var bound time.Time
	found := false
	for _, p := range db.Rules().Retention {
		for _, d := range []time.Time{p.mediaCutoff(now), p.pseudoCutoff(now)} {
			if !d.IsZero() && (!found || d.After(bound)) {
				bound, found = d, true
			}
		}
	}
	if !found {
		return run, nil
	}
	for {
		cands, err := db.retentionCandidates(ctx, after, bound)
		if err != nil {
			return run, err
		}
		if len(cands) == 0 {
			return run, nil
		}
		if err := db.retentionBatch(ctx, cands, remove, &run); err != nil {
			return run, err
		}
		if len(cands) < retentionBatch {
			return run, nil
		}
		after = cands[len(cands)-1].id
	}
}

func (db *DB) retentionCandidates(ctx context.Context, after int64, bound time.Time) ([]retentionCandidate, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.source, c.review_state, c.last_received_at,
		c.media_purged_at IS NOT NULL, c.pseudonymised_at IS NOT NULL,
		COALESCE((SELECT d.outcome FROM decisions d WHERE d.case_id = c.id ORDER BY d.id DESC LIMIT 1), ''),
		COALESCE((SELECT COALESCE((SELECT MAX(a.at) FROM approvals a WHERE a.decision_id = d.id AND a.verdict = 'approved'), d.decided_at)
			FROM decisions d WHERE d.case_id = c.id ORDER BY d.id DESC LIMIT 1), '')
		FROM cases c WHERE c.id > ? AND c.review_state IN ('decided', 'informational')
		AND c.first_received_at <= ? AND (c.media_purged_at IS NULL OR c.pseudonymised_at IS NULL) AND NOT `+heldSQL+`
		ORDER BY c.id LIMIT ?`, after, FormatTime(bound), retentionBatch)
	if err != nil {
		return nil, fmt.Errorf("store: retention candidates: %w", err)
	}
	defer rows.Close()
	var out []retentionCandidate
	for rows.Next() {
		var c retentionCandidate
		var state, last, decidedAt string
		if err := rows.Scan(&c.id, &c.source, &state, &last, &c.mediaDone, &c.pseudoed, &c.outcome, &decidedAt); err != nil {
			return nil, fmt.Errorf("store: retention candidates: %w", err)
		}
		if state == ReviewInformational {
			c.outcome, c.finalAt = RetentionVendor, ParseTime(last)
		} else {
			c.finalAt = ParseTime(decidedAt)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// retentionBatch purges what is due for each candidate in one transaction, then deletes the
// media files no archived row shows any more.
func (db *DB) retentionBatch(ctx context.Context, cands []retentionCandidate, remove func(string) error, run *RetentionRun) error {
	rules, now := db.Rules(), db.Now().UTC()
	due := cands[:0:0]
	for _, c := range cands {
		if p, ok := rules.RetentionFor(c.source, c.outcome); ok && !c.finalAt.IsZero() && p.due(c, now) {
			due = append(due, c)
		}
	}
	if len(due) == 0 {
		return nil // nothing due in this batch: no write transaction
	}
	cands = due
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: retention: %w", err)
	}
	defer tx.Rollback()
	var files []string
	seen := map[string]bool{}
	var done RetentionRun
	for _, c := range cands {
		p, ok := rules.RetentionFor(c.source, c.outcome)
		if !ok || c.finalAt.IsZero() {
			continue
		}
		// The hold is checked again inside the transaction: one placed since the read wins.
		var held bool
		if err := tx.QueryRowContext(ctx, `SELECT `+heldSQL+` FROM cases c WHERE c.id = ?`, c.id).Scan(&held); err != nil {
			return fmt.Errorf("store: retention hold of case %d: %w", c.id, err)
		}
		if held {
			continue
		}
		mediaDue := p.MediaDays > 0 && !c.mediaDone && !now.Before(c.finalAt.AddDate(0, 0, p.MediaDays))
		pseudoDue := p.PseudonymiseYears > 0 && !c.pseudoed && !now.Before(c.finalAt.AddDate(p.PseudonymiseYears, 0, 0))
		if mediaDue || (pseudoDue && !c.mediaDone) {
			shas, n, err := db.purgeCaseMedia(ctx, tx, c.id, p, now)
			if err != nil {
				return err
			}
			for _, s := range shas {
				if !seen[s] {
					seen[s] = true
					files = append(files, s)
				}
			}
			done.MediaCases++
			done.Tombstones += n
		}
		if pseudoDue {
			n, err := db.pseudonymiseCase(ctx, tx, c.id, p, now)
			if err != nil {
				return err
			}
			done.Pseudonymised++
			done.Tombstones += n
		}
	}
	var removed []string
	for _, sha := range files {
		inUse, err := archivedShaInUse(ctx, tx, sha)
		if err != nil {
			return fmt.Errorf("store: retention file %s: %w", sha, err)
		}
		if inUse {
			continue // another case still shows the same bytes
		}
		if err := remove(sha); err != nil {
			return fmt.Errorf("store: retention file %s: %w", sha, err)
		}
		removed = append(removed, sha)
	}
	if err := commit(tx, "retention"); err != nil {
		return err
	}
	run.MediaCases += done.MediaCases
	run.Pseudonymised += done.Pseudonymised
	run.Tombstones += done.Tombstones
	run.Removed = append(run.Removed, removed...)
	return nil
}

// tombstoneItem is one item a purge is about to remove.
type tombstoneItem struct {
	Kind   string `json:"kind"`
	Item   string `json:"item"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// recordPurge writes the case's retention.purge audit entry (items by id and hash only) and a
// tombstone per item pointing at it.
func (db *DB) recordPurge(ctx context.Context, tx *sql.Tx, caseID int64, stage string, p RetentionPolicy, now time.Time, items []tombstoneItem) error {
	at := FormatTime(now)
	auditID, err := db.appendAuditID(ctx, tx, at, AuditEntry{Actor: SystemActor.Name, Action: "retention.purge", TargetType: "case",
		TargetID: fmt.Sprint(caseID), CaseID: caseID,
		Details: map[string]any{"stage": stage, "policy": p.Name(), "items": items}})
	if err != nil {
		return err
	}
	for _, it := range items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO retention_tombstones (case_id, kind, item, sha256, size, purged_at, policy, audit_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, caseID, it.Kind, it.Item, it.SHA256, it.Size, at, p.Name(), auditID); err != nil {
			return fmt.Errorf("store: tombstone for case %d: %w", caseID, err)
		}
	}
	return nil
}

// purgeCaseMedia marks the case's media purged with a tombstone per archived file, and returns
// the files' hashes (for deletion once no archived row shows them).
func (db *DB) purgeCaseMedia(ctx context.Context, tx *sql.Tx, caseID int64, p RetentionPolicy, now time.Time) ([]string, int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, sha256, size FROM media WHERE case_id = ? AND state = 'archived' ORDER BY id`, caseID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: purge media of case %d: %w", caseID, err)
	}
	var items []tombstoneItem
	var shas []string
	for rows.Next() {
		var id, size int64
		var kind, sha string
		if err := rows.Scan(&id, &kind, &sha, &size); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("store: purge media of case %d: %w", caseID, err)
		}
		items = append(items, tombstoneItem{Kind: "media", Item: fmt.Sprintf("media %d %s", id, kind), SHA256: sha, Size: size})
		shas = append(shas, sha)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	// A redacted derivative is the same media's bytes: purged with it, under its own tombstone.
	derived, derivedShas, err := redactedItems(ctx, tx, caseID)
	if err != nil {
		return nil, 0, err
	}
	items, shas = append(items, derived...), append(shas, derivedShas...)
	if _, err := tx.ExecContext(ctx, `UPDATE media SET state = 'purged' WHERE case_id = ? AND state <> 'purged'`, caseID); err != nil {
		return nil, 0, fmt.Errorf("store: purge media of case %d: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET media_purged_at = ?, media_purge_policy = ? WHERE id = ?`,
		FormatTime(now), p.Name(), caseID); err != nil {
		return nil, 0, fmt.Errorf("store: purge media of case %d: %w", caseID, err)
	}
	if err := db.recordPurge(ctx, tx, caseID, "media", p, now, items); err != nil {
		return nil, 0, err
	}
	return shas, len(items), nil
}

// pseudonymiseCase removes the personal fields of a case: its raw callback bodies are emptied
// and its snapshot keeps only references, verdicts and tags (no name, document number, date of
// birth, address, contact, network or device details). The client id, the bank's own reference,
// stays so that holds and history still find the case. Decisions, notes and the audit log are
// kept as they are: they are the record the law requires, bound by the audit chain.
func (db *DB) pseudonymiseCase(ctx context.Context, tx *sql.Tx, caseID int64, p RetentionPolicy, now time.Time) (int, error) {
	var items []tombstoneItem
	rows, err := tx.QueryContext(ctx, `SELECT id, sha256, size FROM deliveries WHERE case_id = ? AND body IS NOT NULL AND length(body) > 0 ORDER BY id`, caseID)
	if err != nil {
		return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
	}
	for rows.Next() {
		var it tombstoneItem
		var id int64
		if err := rows.Scan(&id, &it.SHA256, &it.Size); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
		}
		it.Kind, it.Item = "raw_body", fmt.Sprintf("delivery %d", id)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var snapJSON string
	if err := tx.QueryRowContext(ctx, `SELECT snapshot FROM cases WHERE id = ?`, caseID).Scan(&snapJSON); err != nil {
		return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
	}
	sum := sha256.Sum256([]byte(snapJSON))
	items = append(items, tombstoneItem{Kind: "personal_fields", Item: fmt.Sprintf("case %d snapshot", caseID),
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(snapJSON))})
	var s Snapshot
	_ = json.Unmarshal([]byte(snapJSON), &s) // an unreadable snapshot is replaced all the same
	kept := Snapshot{Source: s.Source, Ref: s.Ref, ClientID: s.ClientID, ExternalRef: s.ExternalRef, RecordID: s.RecordID,
		Status: s.Status, Document: Document{Type: s.Document.Type, IssuingCountry: s.Document.IssuingCountry},
		IPCountry: s.IPCountry}
	b, err := json.Marshal(kept)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET body = X'', schema_warnings = '' WHERE case_id = ? AND body IS NOT NULL`, caseID); err != nil {
		return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET full_name = '', doc_number = '', snapshot = ?, pseudonymised_at = ? WHERE id = ?`,
		string(b), FormatTime(now), caseID); err != nil {
		return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_terms WHERE case_id = ?`, caseID); err != nil {
		return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_pairs WHERE case_id = ?`, caseID); err != nil {
		return 0, fmt.Errorf("store: pseudonymise case %d: %w", caseID, err)
	}
	if err := db.recordPurge(ctx, tx, caseID, "personal_fields", p, now, items); err != nil {
		return 0, err
	}
	return len(items), nil
}

// CaseTombstones lists what was purged from one case, oldest first.
func (db *DB) CaseTombstones(ctx context.Context, caseID int64) ([]Tombstone, error) {
	var out []Tombstone
	err := db.tombstones(ctx, func(t Tombstone) error { out = append(out, t); return nil }, `WHERE case_id = ? ORDER BY id`, caseID)
	return out, err
}

// Tombstones streams what was purged in [from, to), oldest first.
func (db *DB) Tombstones(ctx context.Context, from, to time.Time, fn func(Tombstone) error) error {
	return db.tombstones(ctx, fn, `WHERE purged_at >= ? AND purged_at < ? ORDER BY purged_at, id`, FormatTime(from), FormatTime(to))
}

func (db *DB) tombstones(ctx context.Context, fn func(Tombstone) error, where string, args ...any) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, case_id, kind, item, sha256, size, purged_at, policy, audit_id
		FROM retention_tombstones `+where, args...)
	if err != nil {
		return fmt.Errorf("store: tombstones: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t Tombstone
		var at string
		if err := rows.Scan(&t.ID, &t.CaseID, &t.Kind, &t.Item, &t.SHA256, &t.Size, &at, &t.Policy, &t.AuditID); err != nil {
			return fmt.Errorf("store: tombstones: %w", err)
		}
		t.PurgedAt = ParseTime(at)
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}
