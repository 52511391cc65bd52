package store

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTakeLoginAttemptParallel: 50 parallel attempts at a real account and at an unknown name
// each let exactly five be checked, the fifth marked as the last before the lock; after the lock
// expires counting starts again, and a password reset lifts a lock at once.
func TestTakeLoginAttemptParallel(t *testing.T) {
	db, clk := openWorkspace(t)
	ctx := context.Background()
	u, err := db.CreateUser(ctx, SystemActor, "Victim", "", "hash", []string{RoleReviewer})
	if err != nil {
		t.Fatal(err)
	}
	const lockAfter, lockFor = 5, 15 * time.Minute
	burst := func(name string) (checked, last int32) {
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				a, err := db.TakeLoginAttempt(ctx, name, lockAfter, lockFor)
				if err != nil {
					t.Error(err)
					return
				}
				if a.Check {
					atomic.AddInt32(&checked, 1)
				}
				if a.LastBeforeLock {
					atomic.AddInt32(&last, 1)
				}
			})
		}
		wg.Wait()
		return checked, last
	}
	for _, name := range []string{"victim", "nobody"} {
		if checked, last := burst(name); checked != lockAfter || last != 1 {
			t.Errorf("%s: %d checked, %d last-before-lock; want %d and 1", name, checked, last, lockAfter)
		}
	}
	if a, _ := db.TakeLoginAttempt(ctx, "VICTIM", lockAfter, lockFor); a.Check || !a.Known || a.User.ID != u.ID {
		t.Errorf("locked account: %+v, want known and not checked (names are case-insensitive)", a)
	}
	if a, _ := db.TakeLoginAttempt(ctx, "nobody", lockAfter, lockFor); a.Check || a.Known {
		t.Errorf("locked unknown name: %+v, want unknown and not checked", a)
	}
	clk.advance(lockFor + time.Second)
	if checked, _ := burst("nobody"); checked != lockAfter {
		t.Errorf("after the lock ran out: %d checked, want %d again", checked, lockAfter)
	}
	hash := "new-hash"
	if err := db.UpdateUser(ctx, SystemActor, u.ID, UserChange{PasswordHash: &hash}); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.TakeLoginAttempt(ctx, "victim", lockAfter, lockFor); !a.Check {
		t.Errorf("after a password reset the account is still locked")
	}
	if err := db.ClearLoginFailures(ctx, "victim"); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.UserByID(ctx, u.ID); got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
		t.Errorf("after a success: %d failures, locked until %v; want none", got.FailedLogins, got.LockedUntil)
	}
}
