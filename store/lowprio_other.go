//go:build !linux

package store

// lowerThreadPriority leaves the thread as it is where threads have no nice value of their own.
func lowerThreadPriority(int) {}
