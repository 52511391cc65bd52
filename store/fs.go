package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ensureDir creates dir with owner-only permissions when it does not exist.
func ensureDir(dir string) error {
	if dir == "" || dir == "." {
		return nil
	}
	return os.MkdirAll(dir, 0o700)
}

// createPrivate creates an empty database file readable by its owner only, when there is none.
// SQLite gives the -wal and -shm files the database file's permissions, so they are 0600 too;
// an empty file is a valid new database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// FileModeWarnings names the data dir, database files and key files that others than the
// owner may read or write: the directory should be 0700 and the files 0600. `kycdesk serve`
// logs each at start; it changes nothing, since the operator may have a reason.
func FileModeWarnings(dataDir string) []string {
	var out []string
	check := func(path string, want fs.FileMode) {
		st, err := os.Stat(path)
		if err != nil {
			return
		}
		if got := st.Mode().Perm(); got&^want != 0 {
			out = append(out, fmt.Sprintf("%s is mode %04o; want %04o (chmod %o %s): it holds personal data or secrets",
				path, got, want, want, path))
		}
	}
	check(dataDir, 0o700)
	for _, name := range []string{"kycdesk.db", "kycdesk.db-wal", "kycdesk.db-shm",
		"kycdesk.inbox.db", "kycdesk.inbox.db-wal", "kycdesk.inbox.db-shm", "session.key", "admin-password.txt"} {
		check(filepath.Join(dataDir, name), 0o600)
	}
	check(filepath.Join(dataDir, "media"), 0o700)
	return out
}
