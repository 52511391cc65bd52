package store

import (
	"context"
	"errors"
	"testing"
)

// TestLastAdminCannotBeRemoved: two admins disabling each other must not leave the desk without one.
func TestLastAdminCannotBeRemoved(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a1, err := db.CreateUser(ctx, SystemActor, "adm1", "", "x", []string{RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := db.CreateUser(ctx, SystemActor, "adm2", "", "x", []string{RoleAdmin, RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	off := true
	if err := db.UpdateUser(ctx, Actor{ID: a1.ID, Name: "adm1"}, a2.ID, UserChange{Disabled: &off}); err != nil {
		t.Fatalf("disable adm2 while adm1 remains: %v", err)
	}
	if err := db.UpdateUser(ctx, Actor{ID: a2.ID, Name: "adm2"}, a1.ID, UserChange{Disabled: &off}); !errors.Is(err, ErrConflict) {
		t.Errorf("disabling the last enabled admin: err = %v, want ErrConflict", err)
	}
	if err := db.UpdateUser(ctx, SystemActor, a1.ID, UserChange{Roles: []string{RoleReviewer}}); !errors.Is(err, ErrConflict) {
		t.Errorf("removing the last admin's role: err = %v, want ErrConflict", err)
	}
	u, _ := db.UserByID(ctx, a1.ID)
	if u.Disabled || !u.Has(RoleAdmin) {
		t.Errorf("adm1 = %+v, want still an enabled admin", u)
	}
}

func TestDecisionRowsAreImmutable(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	u, err := db.CreateUser(ctx, SystemActor, "rev", "", "x", []string{RoleReviewer})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(ctx, incoming(markSnap("imm", StatusSuspected, false), "imm", db.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO decisions (case_id, outcome, reason_code, decided_by, decided_at) VALUES (1, 'decline', 'x', ?, 'now')`, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`UPDATE decisions SET outcome = 'allow'`); err == nil {
		t.Error("UPDATE decisions succeeded; want the trigger to refuse it")
	}
	if _, err := db.write.Exec(`DELETE FROM decisions`); err == nil {
		t.Error("DELETE FROM decisions succeeded; want the trigger to refuse it")
	}
}
