package store

import "syscall"

// lowerThreadPriority sets the calling OS thread's nice value (Linux gives each thread its own).
// A failure leaves the thread at the normal priority, which is only slower under load.
func lowerThreadPriority(nice int) {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
