package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web"
)

// flags wraps a FlagSet so that every flag takes its default from a KYCDESK_* environment variable.
// auditKeyFile is the --audit-key-file that every command opening the data dir takes (dataFlag).
type flags struct {
	*flag.FlagSet
	auditKeyFile *string
	dataKeyFile  *string
}

func newFlags(name string) flags {
	fs := flag.NewFlagSet("kycdesk "+name, flag.ContinueOnError)
	return flags{fs, new(string), new(string)}
}

func envName(flagName string) string {
	return "KYCDESK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f flags) str(p *string, name, def, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	f.StringVar(p, name, def, usage+" ($"+envName(name)+")")
}

func (f flags) boolean(p *bool, name string, def bool, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			def = b
		}
	}
	f.BoolVar(p, name, def, usage+" ($"+envName(name)+")")
}

func (f flags) integer(p *int, name string, def int, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.Atoi(v); err == nil {
			def = n
		}
	}
	f.IntVar(p, name, def, usage+" ($"+envName(name)+")")
}

func (f flags) int64(p *int64, name string, def int64, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			def = n
		}
	}
	f.Int64Var(p, name, def, usage+" ($"+envName(name)+")")
}

func (f flags) duration(p *time.Duration, name string, def time.Duration, usage string) {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		}
	}
	f.DurationVar(p, name, def, usage+" ($"+envName(name)+")")
}

// list splits a comma-separated flag value, dropping blanks.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// openData opens the database inside a data directory, signing audit entries with the
// --audit-key-file key when one is given.
func (f flags) openData(ctx context.Context, dir string) (*store.DB, error) {
	db, err := openDataKeyed(ctx, dir, *f.auditKeyFile)
	if err != nil {
		return nil, err
	}
	if err := useDataKeys(ctx, db, dir, *f.dataKeyFile); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// useDataKeys loads the --data-key-file (outside the data dir) into db, and refuses a desk whose
// raw bodies are sealed under a key it was not given.
func useDataKeys(ctx context.Context, db *store.DB, dir, keyFile string) error {
	if keyFile != "" {
		if err := keyOutsideData(keyFile, dir); err != nil {
			return err
		}
		keys, err := store.LoadKeyring(keyFile)
		if err != nil {
			return fmt.Errorf("--data-key-file: %w", err)
		}
		db.SetDataKeys(keys)
	}
	return db.CheckDataKeys(ctx)
}

// keyOutsideData refuses a key file inside the data dir: a copy of the data must not carry its key.
func keyOutsideData(keyFile, dir string) error {
	absKey, err1 := filepath.Abs(keyFile)
	absData, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("--data-key-file: %v %v", err1, err2)
	}
	if r, err := filepath.EvalSymlinks(absKey); err == nil {
		absKey = r
	}
	if r, err := filepath.EvalSymlinks(absData); err == nil {
		absData = r
	}
	if rel, err := filepath.Rel(absData, absKey); err == nil && !strings.HasPrefix(rel, "..") {
		return fmt.Errorf("--data-key-file %s is inside the data dir %s: keep the key where a copy of the data does not take it along", keyFile, dir)
	}
	return nil
}

// openDataKeyed opens the database in dir with the audit key from keyFile ("" for none).
func openDataKeyed(ctx context.Context, dir, keyFile string) (*store.DB, error) {
	if dir == "" {
		return nil, fmt.Errorf("--data is required")
	}
	var key []byte
	if keyFile != "" {
		var err error
		if key, err = store.LoadAuditKey(keyFile, dir); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, filepath.Join(dir, "kycdesk.db"))
	if err != nil {
		return nil, err
	}
	db.SetAuditKey(key)
	return db, nil
}

// dataFlag adds the --data flag every command shares.
func (f flags) dataFlag(p *string) {
	f.str(p, "data", web.DefaultConfig().DataDir, "data directory (database, media, generated secrets)")
	f.str(f.auditKeyFile, "audit-key-file", "", "file holding the key that signs the audit log, kept outside the data dir")
	f.str(f.dataKeyFile, "data-key-file", "", "file with the data key(s) that encrypt raw callbacks and media (kycdesk key new), kept outside the data dir; the first line encrypts, every line decrypts")
}

// parseAndOpen parses args and opens the database in the --data directory.
func (f flags) parseAndOpen(ctx context.Context, args []string, data *string) (*store.DB, error) {
	if err := f.Parse(args); err != nil {
		return nil, err
	}
	return f.openData(ctx, *data)
}
