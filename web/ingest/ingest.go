// Package ingest turns raw vendor bodies into store snapshots with this build's decoders, and
// replays quarantined deliveries through them. web (the webhooks and the Replay button), cmd
// (`kycdesk replay`) and web/demo all decode through here; it holds no HTTP and no SQL.
package ingest

import (
	"context"
	"fmt"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/web/markid"
	"github.com/kycdesk/kycdesk/web/vcip"
)

// Decode turns a raw body from source into a snapshot with that vendor's decoder.
func Decode(source store.Source, body []byte) (*store.Snapshot, error) {
	switch source {
	case store.SourceMarkID:
		return markid.Decode(body)
	case store.SourceVCIP:
		return vcip.Decode(body)
	}
	return nil, fmt.Errorf("unknown source %q", source)
}

// ReplayResult counts what a replay run did.
type ReplayResult struct {
	Stored      int
	Quarantined int
}

// ReplayQuarantined re-decodes every quarantined delivery with this build's decoders.
func ReplayQuarantined(ctx context.Context, db *store.DB, actor store.Actor) (ReplayResult, error) {
	var res ReplayResult
	ids, err := db.QuarantinedIDs(ctx)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		outcome, _, err := Replay(ctx, db, actor, id)
		if err != nil {
			return res, err
		}
		if outcome == store.OutcomeStored {
			res.Stored++
		} else {
			res.Quarantined++
		}
	}
	return res, nil
}

// Replay decodes one stored delivery again and applies the result; it returns the delivery's
// outcome afterwards (store.OutcomeStored, or still quarantined) and, when the body still does not
// decode, why not.
func Replay(ctx context.Context, db *store.DB, actor store.Actor, id int64) (outcome, problem string, err error) {
	raw, err := db.DeliveryRaw(ctx, id)
	if err != nil {
		return "", "", err
	}
	snap, derr := Decode(raw.Source, raw.Body)
	if derr != nil {
		problem = derr.Error()
	}
	outcome, err = db.Replay(ctx, actor, id, snap, derr)
	return outcome, problem, err
}
