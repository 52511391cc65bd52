package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxRevealText bounds the free text a person gives with a reveal.
const MaxRevealText = 500

// RevealInput is one request to see a masked field of a case in full.
type RevealInput struct {
	CaseID int64
	Field  string // one of RevealFields
	Reason string // a RevealReasons code
	Text   string // the person's own words
}

// RecordReveal checks a reveal and writes its audit entry naming the field, the reason and the
// words given, and returns the entry's id. Nothing else is stored: the value shows on that page
// view only (and the original images that view loads, OriginalRevealed). Only someone holding a
// role with reveal rights (Rules.RevealRoles) may reveal.
func (db *DB) RecordReveal(ctx context.Context, actor Actor, in RevealInput) (int64, error) {
	in.Text = strings.TrimSpace(in.Text)
	p := map[string]string{}
	if !slices.Contains(RevealFields, in.Field) {
		p["reveal_field"] = "Choose the field to reveal."
	}
	if !slices.ContainsFunc(RevealReasons, func(r ReasonCode) bool { return r.Code == in.Reason }) {
		p["reveal_reason"] = "Choose why you need to see it."
	}
	switch n := len([]rune(in.Text)); {
	case n < 5:
		p["reveal_text"] = "Say in a few words what you are checking (the auditors read it)."
	case n > MaxRevealText:
		p["reveal_text"] = fmt.Sprintf("Keep it to %d characters.", MaxRevealText)
	}
	if len(p) > 0 {
		return 0, FieldErrors(p)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: reveal: %w", err)
	}
	defer tx.Rollback()
	var roles string
	var disabled bool
	err = tx.QueryRowContext(ctx, `SELECT roles, disabled FROM users WHERE id = ?`, actor.ID).Scan(&roles, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: reveal: roles of user %d: %w", actor.ID, err)
	}
	if err != nil || disabled || !db.Rules().MayReveal(strings.Split(roles, ",")) {
		return 0, Errorf(KindForbidden, "Your role has no reveal rights: masked values and redacted images stay as they are. An administrator grants reveal rights per role in Settings.")
	}
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE id = ?`, in.CaseID).Scan(&exists); err != nil {
		return 0, fmt.Errorf("store: reveal: %w", err)
	}
	if exists == 0 {
		return 0, fmt.Errorf("store: reveal case %d: %w", in.CaseID, errNoSuchThing)
	}
	id, err := db.appendAuditID(ctx, tx, FormatTime(db.Now()), AuditEntry{Actor: actor.Name, ActorID: actor.ID, Action: "case.reveal",
		TargetType: "case", TargetID: fmt.Sprint(in.CaseID), CaseID: in.CaseID,
		Details: map[string]any{"field": in.Field, "reason": in.Reason, "text": in.Text}})
	if err != nil {
		return 0, err
	}
	return id, commit(tx, "reveal")
}
