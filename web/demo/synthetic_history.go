package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// historyDays is how far back LoadSyntheticHistory spreads its cases.
const historyDays = 90

// remarks are the video-KYC agents' remarks the synthetic sessions carry.
var remarks = []string{"Accepted", "Recheck Required", "Rejected", "Accepted", "Customer not visible"}

// LoadSyntheticHistory loads n synthetic cases received evenly over the last 90 days before now,
// with up to decisions final decisions made by the given reviewers (user IDs), spread over the
// period; cases received in the last 36 hours stay undecided, as a desk's current queue, and older
// cases that would need a decision but are not among the decided ones are approved instead. Each
// fraud tag and agent remark has its own share of allowed cases, so the dashboard's false-positive
// rates differ per signal. BulkLoad keeps the dashboard's summaries as it writes.
func LoadSyntheticHistory(ctx context.Context, db *store.DB, n, decisions int, reviewers []int64, now time.Time) error {
	return loadSyntheticHistory(ctx, n, decisions, reviewers, now, db.BulkLoad)
}

// loadSyntheticHistory is LoadSyntheticHistory through the given loader.
func loadSyntheticHistory(ctx context.Context, n, decisions int, reviewers []int64, now time.Time,
	load func(context.Context, func() (store.BulkCase, bool)) (int, error)) error {
	if len(reviewers) == 0 && decisions > 0 {
		return fmt.Errorf("demo: synthetic history: decisions need reviewers")
	}
	start := now.Add(-historyDays * 24 * time.Hour)
	step := historyDays * 24 * time.Hour / time.Duration(max(n, 1))
	recent := now.Add(-36 * time.Hour)
	needing := 0
	for i := 0; i < n; i++ {
		if syntheticSnapshot(i).NeedsDecision() && start.Add(time.Duration(i)*step).Before(recent) {
			needing++
		}
	}
	stride := 1
	if decisions > 0 && needing > decisions {
		stride = (needing + decisions - 1) / decisions
	}
	i, seen, made := 0, 0, 0
	_, err := load(ctx, func() (store.BulkCase, bool) {
		if i >= n {
			return store.BulkCase{}, false
		}
		s := syntheticSnapshot(i)
		received := start.Add(time.Duration(i) * step)
		if s.Source == store.SourceVCIP {
			s.FieldValues = json.RawMessage(fmt.Sprintf(`{"Remark":%q}`, remarks[i%len(remarks)]))
		}
		bc := store.BulkCase{Snapshot: s, ReceivedAt: received, ReviewState: syntheticState(s, i)}
		if bc.ReviewState != store.ReviewInformational {
			bc.ReviewState = store.ReviewNeedsDecision
		}
		if s.NeedsDecision() && received.Before(recent) {
			if seen%stride == 0 && made < decisions {
				bc.ReviewState = store.ReviewDecided
				bc.Decision = historyDecision(s, i, received, reviewers)
				made++
			} else {
				// Not one of the decided: an approved identity check instead, so the queue holds
				// what a desk has waiting (the last 36 hours), not every undecided case of 90 days.
				makeApproved(s)
				bc.ReviewState = store.ReviewInformational
			}
			seen++
		}
		i++
		return bc, true
	})
	return err
}

// historyDecision is case i's made-up final decision: waits of 1 to 30 hours, a few minutes of
// handling, and an outcome whose odds depend on the case's first signal.
func historyDecision(s *store.Snapshot, i int, received time.Time, reviewers []int64) *store.BulkDecision {
	wait := time.Duration(1+i%30)*time.Hour + time.Duration(i%7)*13*time.Minute
	decided := received.Add(wait)
	handling := time.Duration(3+i%25)*time.Minute + time.Duration(i%60)*time.Second
	// Signal k is allowed in (k+2) of 10 cases: each tag and remark gets its own false-positive rate.
	k := i % 5
	if len(s.Status.FraudTags) > 0 {
		for j, t := range synthFraud {
			if t == s.Status.FraudTags[0] {
				k = j
			}
		}
	} else if s.Source == store.SourceVCIP {
		k = i % len(remarks)
	}
	d := &store.BulkDecision{DecidedBy: reviewers[i%len(reviewers)], ClaimedAt: decided.Add(-handling), DecidedAt: decided,
		Outcome: store.OutcomeDecline, ReasonCode: []string{"document_forged", "face_mismatch", "poor_quality"}[i%3],
		Note: "Synthetic decision."}
	if (i/5)%10 < k+2 {
		d.Outcome, d.ReasonCode = store.OutcomeAllow, []string{"tags_explained", "face_matches", "document_genuine"}[i%3]
	}
	return d
}

// makeApproved turns a synthetic case into an identity check the vendor approved: informational.
func makeApproved(s *store.Snapshot) {
	final := true
	s.Source = store.SourceMarkID
	s.Status = store.Status{Overall: store.StatusApproved, Final: &final, AutoDocument: "DOC_VALIDATED", AutoFace: "FACE_MATCH"}
	s.Geo, s.Instructions, s.FieldValues = nil, nil, nil
}
