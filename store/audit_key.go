package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The keyed chain. Anyone who can write the database file can rewrite an entry and recompute
// every SHA-256 after it; nobody can recompute an HMAC without its key, and the key lives outside
// the data dir (--audit-key-file), never in the database. Each entry's mac signs its id, its hash
// and the previous entry's mac. Entries from before the key was set have none: unsigned entries
// may only come first, and the newest entry must be signed.

// SetAuditKey signs every new entry with key and makes VerifyAudit check the signatures. Without
// a key the chain works as before; a signed log then refuses new entries, rather than mixing
// unsigned ones in.
func (db *DB) SetAuditKey(key []byte) { db.auditKey = key }

// linkMAC is an entry's signature.
func linkMAC(key []byte, id int64, hash, prevMAC string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(id, 10) + ":" + hash + ":" + prevMAC))
	return hex.EncodeToString(m.Sum(nil))
}

// ErrAuditKeyRequired: the log is signed, so an entry without a signature cannot be added.
var ErrAuditKeyRequired = errors.New("store: the audit log is signed with a key: give --audit-key-file (or $KYCDESK_AUDIT_KEY_FILE)")

// LoadAuditKey reads the audit key from path: at least 32 bytes (hex or raw), in a file that is
// not inside dataDir, since the key must not travel with the database it protects.
func LoadAuditKey(path, dataDir string) ([]byte, error) {
	absKey, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("--audit-key-file: %w", err)
	}
	absData, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("--audit-key-file: %w", err)
	}
	if r1, err := filepath.EvalSymlinks(absKey); err == nil {
		absKey = r1
	}
	if r2, err := filepath.EvalSymlinks(absData); err == nil {
		absData = r2
	}
	if rel, err := filepath.Rel(absData, absKey); err == nil && !strings.HasPrefix(rel, "..") {
		return nil, fmt.Errorf("--audit-key-file %s is inside the data dir %s: keep the key where a copy of the data does not take it along", path, dataDir)
	}
	b, err := os.ReadFile(absKey)
	if err != nil {
		return nil, fmt.Errorf("--audit-key-file: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if k, err := hex.DecodeString(t); err == nil && len(k) >= 32 {
		return k, nil
	}
	if len(t) < 32 {
		return nil, fmt.Errorf("--audit-key-file %s holds %d bytes; it needs at least 32 (e.g. openssl rand -hex 32)", path, len(t))
	}
	return []byte(t), nil
}

// AuditSigned reports whether any entry carries a signature (and how many do not).
func (db *DB) AuditSigned(ctx context.Context) (signed, unsigned int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT COUNT(mac), COUNT(*) - COUNT(mac) FROM audit_log`).Scan(&signed, &unsigned)
	if err != nil {
		return 0, 0, fmt.Errorf("store: audit signatures: %w", err)
	}
	return signed, unsigned, nil
}
