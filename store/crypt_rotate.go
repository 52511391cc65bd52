package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DataKeys are the data keys the database seals with (nil: none).
func (db *DB) DataKeys() *Keyring { return db.keys }

// SetDataKeys makes the database seal new raw delivery bodies under keys' current key and open
// sealed ones; nil keeps bodies plain.
func (db *DB) SetDataKeys(keys *Keyring) { db.keys = keys }

// sealBody is a raw body as it is stored.
func (db *DB) sealBody(b []byte) ([]byte, error) {
	if db.keys == nil || b == nil {
		return b, nil
	}
	return db.keys.Seal(b)
}

// openBody is a stored raw body as it was received.
func (db *DB) openBody(b []byte) ([]byte, error) {
	if !IsSealed(b) {
		return b, nil
	}
	return db.keys.Open(b)
}

// sealedUnder reports whether b is sealed under key.
func sealedUnder(b []byte, key *DataKey) bool {
	return IsSealed(b) && key != nil && bytes.Equal(b[8:16], key.ID[:])
}

// RotationProgress is how far a key rotation has come.
type RotationProgress struct {
	Phase       string // "bodies" or "media"
	Done, Total int
	Resealed    int
}

// CheckDataKeys reads the newest sealed body, if any, so a desk started with the wrong key (or
// with none, over sealed data) refuses to start with a sentence instead of failing page by page.
func (db *DB) CheckDataKeys(ctx context.Context) error {
	var b []byte
	err := db.read.QueryRowContext(ctx, `SELECT body FROM deliveries WHERE substr(body, 1, 8) = ? ORDER BY id DESC LIMIT 1`,
		[]byte(cryptMagic)).Scan(&b)
	if err != nil {
		return nil // nothing sealed (or nothing at all)
	}
	if _, err := db.openBody(b); err != nil {
		return fmt.Errorf("the raw callbacks are encrypted under a data key this desk was not given: %w", err)
	}
	return nil
}

// RotateBodies re-seals, in batches, every raw body not sealed under the current key (plain ones
// too), while the server keeps running: each row is rewritten only if it is still what was read.
func (db *DB) RotateBodies(ctx context.Context, progress func(RotationProgress)) (RotationProgress, error) {
	p := RotationProgress{Phase: "bodies"}
	key := db.keys.Current()
	if key == nil {
		return p, errors.New("store: rotate: no data key")
	}
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM deliveries WHERE body IS NOT NULL AND length(body) > 0`).Scan(&p.Total); err != nil {
		return p, fmt.Errorf("store: rotate bodies: %w", err)
	}
	progress(p)
	var after int64
	for {
		rows, err := db.read.QueryContext(ctx, `SELECT id, body FROM deliveries WHERE id > ? AND body IS NOT NULL AND length(body) > 0
			ORDER BY id LIMIT 200`, after)
		if err != nil {
			return p, fmt.Errorf("store: rotate bodies: %w", err)
		}
		type row struct {
			id   int64
			body []byte
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.body); err != nil {
				rows.Close()
				return p, fmt.Errorf("store: rotate bodies: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return p, err
		}
		if len(batch) == 0 {
			return p, nil
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return p, fmt.Errorf("store: rotate bodies: %w", err)
		}
		for _, r := range batch {
			after = r.id
			p.Done++
			if sealedUnder(r.body, key) {
				continue
			}
			plain, err := db.openBody(r.body)
			if err != nil {
				tx.Rollback()
				return p, fmt.Errorf("store: rotate delivery %d: %w", r.id, err)
			}
			sealed, err := db.keys.Seal(plain)
			if err != nil {
				tx.Rollback()
				return p, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET body = ? WHERE id = ? AND body = ?`, sealed, r.id, r.body); err != nil {
				tx.Rollback()
				return p, fmt.Errorf("store: rotate delivery %d: %w", r.id, err)
			}
			p.Resealed++
		}
		if err := commit(tx, "rotate bodies"); err != nil {
			return p, err
		}
		progress(p)
	}
}

// Rotate re-seals every archived file not sealed under the current key (plain ones too): each is
// decrypted, sealed into a temporary file, synced and renamed over the old one, whose name (the
// plaintext's SHA-256) does not change. A reader holding the old file keeps reading it.
func (b *Blobs) Rotate(ctx context.Context, progress func(RotationProgress)) (RotationProgress, error) {
	p := RotationProgress{Phase: "media"}
	key := b.Keys.Current()
	if key == nil {
		return p, errors.New("store: rotate: no data key")
	}
	var files []string
	err := filepath.WalkDir(b.Dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == b.Dir {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") && validSHA256(d.Name()) {
			files = append(files, d.Name())
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("store: rotate media: %w", err)
	}
	p.Total = len(files)
	progress(p)
	head := make([]byte, cryptHeaderSize)
	for _, sha := range files {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		p.Done++
		f, err := os.Open(b.path(sha))
		if err != nil {
			return p, fmt.Errorf("store: rotate media %s: %w", sha, err)
		}
		n, _ := f.ReadAt(head, 0)
		f.Close()
		if sealedUnder(head[:n], key) {
			progress(p)
			continue
		}
		if err := b.reseal(sha); err != nil {
			return p, err
		}
		p.Resealed++
		progress(p)
	}
	return p, nil
}

func (b *Blobs) reseal(sha string) error {
	src, err := b.Open(sha)
	if err != nil {
		return fmt.Errorf("store: rotate media %s: %w", sha, err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(b.Dir, blobTempPrefix+"*")
	if err != nil {
		return fmt.Errorf("store: rotate media %s: %w", sha, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w, err := b.Keys.NewWriter(tmp)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(w, src, make([]byte, 256<<10)); err != nil {
		return fmt.Errorf("store: rotate media %s: %w", sha, err)
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), b.path(sha)); err != nil {
		return fmt.Errorf("store: rotate media %s: %w", sha, err)
	}
	return syncDir(filepath.Dir(b.path(sha)))
}
