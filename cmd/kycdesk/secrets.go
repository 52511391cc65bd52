package main

import (
	"context"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kycdesk/kycdesk/store"
)

// adminPasswordFile is where the first start writes the generated admin password when nobody
// is watching the terminal (systemd, Docker): logs are collected and kept, a 0600 file is not.
const adminPasswordFile = "admin-password.txt"

// secretOrFile returns the secret given directly or read from a file (flag NAME-file); giving both
// is an error. A file keeps the secret out of `ps` and out of the environment of child processes.
func secretOrFile(name, value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	if value != "" {
		return "", fmt.Errorf("give --%s or --%s-file, not both", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--%s-file: %w", name, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("--%s-file: %s is empty", name, file)
	}
	return s, nil
}

// secretList splits secrets given one per line or comma-separated.
func secretList(s string) []string {
	return list(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", ","), "\n", ","))
}

// isTerminal reports whether f is a character device (a terminal), without a dependency.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// dataDirWarnings are the permission warnings for an existing data dir.
func dataDirWarnings(dir string) []string { return store.FileModeWarnings(dir) }

// loadSessionKey derives the 64-byte cookie key from the configured value, or from a random key
// generated once into the data dir (0600). There is never a built-in default.
func loadSessionKey(dir, configured string) ([]byte, error) {
	if configured != "" {
		if len(configured) < 32 {
			return nil, errors.New("--session-key must be at least 32 characters")
		}
		sum := sha512.Sum512([]byte(configured))
		return sum[:], nil
	}
	path := filepath.Join(dir, "session.key")
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := hex.DecodeString(strings.TrimSpace(string(b)))
		if derr != nil || len(key) < 64 {
			return nil, fmt.Errorf("%s is not a 64-byte hex key; delete it to generate a new one", path)
		}
		return key[:64], nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read session key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write session key: %w", err)
	}
	return key, nil
}

// ensureFirstAdmin creates an "admin" account with a random password when no account holds the
// admin role yet (a fresh install, or one holding only the demo's reviewers). On a terminal the
// password is printed once to it; otherwise it goes to a 0600 file in the data dir that the log
// names, because collected logs are kept and read by many.
func ensureFirstAdmin(ctx context.Context, db *store.DB, log *slog.Logger, dataDir string, terminal bool) error {
	users, err := db.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.Has(store.RoleAdmin) || u.Username == "admin" {
			return nil
		}
	}
	pw, err := store.GeneratePassword()
	if err != nil {
		return err
	}
	hash, err := store.HashPassword(pw, store.DefaultBcryptCost)
	if err != nil {
		return err
	}
	path := filepath.Join(dataDir, adminPasswordFile)
	if !terminal {
		// Written before the account exists: a failure leaves no account whose password nobody has.
		if err := writePrivate(path, "username: admin\npassword: "+pw+"\n"); err != nil {
			return fmt.Errorf("write first admin password: %w", err)
		}
	}
	if _, err := db.CreateUser(ctx, store.SystemActor, "admin", "Administrator", hash, []string{store.RoleAdmin}); err != nil {
		return err
	}
	if terminal {
		fmt.Fprintf(os.Stdout, "\nFirst start: created user 'admin' with password %s\n(shown only once; sign in and change it)\n\n", pw)
		log.Warn("first start: created user 'admin'; its password was printed on the terminal", "username", "admin")
		return nil
	}
	log.Warn("first start: created user 'admin'; its password is in a file readable only by this user: read it, then delete it",
		"username", "admin", "password_file", path)
	return nil
}

// writePrivate writes a new 0600 file, replacing an older one.
func writePrivate(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// parseSize reads a byte count: plain bytes, or with KiB/MiB/GiB/TiB (or KB/MB/GB/TB, also binary).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10},
		{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 1GiB, 500MiB or 1073741824", s)
	}
	return int64(n * float64(mult)), nil
}

// formatSize writes n the way parseSize reads it, in the largest whole binary unit.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(n, 10)
}
