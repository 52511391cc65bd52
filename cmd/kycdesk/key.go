package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kycdesk/kycdesk/store"
)

// runKey is `kycdesk key new|rotate`: a new data key file, or re-encrypting everything under
// the key file's first key (safe while the server runs).
func runKey(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "new" && args[0] != "rotate") {
		return fmt.Errorf("key: usage: kycdesk key new --out FILE, or kycdesk key rotate --data DIR --data-key-file FILE")
	}
	if args[0] == "new" {
		f := newFlags("key new")
		var out string
		f.StringVar(&out, "out", "", "where to write the new key (0600); refuses a file that exists")
		if err := f.Parse(args[1:]); err != nil {
			return err
		}
		return newKeyFile(out)
	}
	f := newFlags("key rotate")
	var data string
	f.dataFlag(&data)
	db, err := f.parseAndOpen(ctx, args[1:], &data)
	if err != nil {
		return err
	}
	defer db.Close()
	keys := db.DataKeys()
	if keys == nil {
		return errors.New("key rotate: give --data-key-file: its first key is the one everything is re-encrypted under")
	}
	show := func(p store.RotationProgress) {
		fmt.Fprintf(os.Stderr, "\r%s: %d of %d checked, %d re-encrypted", p.Phase, p.Done, p.Total, p.Resealed)
	}
	pb, err := db.RotateBodies(ctx, show)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	blobs := &store.Blobs{Dir: filepath.Join(data, "media"), Keys: keys}
	pm, err := blobs.Rotate(ctx, show)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("under key %s: %d raw bodies and %d media files re-encrypted (%d and %d checked)\n",
		keys.Current().IDString(), pb.Resealed, pm.Resealed, pb.Total, pm.Total)
	return nil
}

// newKeyFile writes 32 random bytes as hex to path, 0600, refusing to replace a file.
func newKeyFile(path string) error {
	if path == "" {
		return errors.New("key new: give --out FILE (outside the data dir)")
	}
	raw := make([]byte, store.DataKeySize)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("key new: %s exists; a key file is never overwritten (rotate by adding a new key as its first line)", path)
	}
	if err != nil {
		return fmt.Errorf("key new: %w", err)
	}
	if _, err := fmt.Fprintln(f, hex.EncodeToString(raw)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	k, _ := store.NewDataKey(raw)
	fmt.Printf("wrote data key %s to %s (0600); keep it outside the data dir and in your secrets store\n", k.IDString(), path)
	return f.Close()
}
