package store

import "os"

// ensureDir creates dir with owner-only permissions when it does not exist.
func ensureDir(dir string) error {
	if dir == "" || dir == "." {
		return nil
	}
	return os.MkdirAll(dir, 0o700)
}
