package web

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// TestAuditHeadAnchoredInLog: the running server writes the chain's head to the log (at start and
// then at its interval), in the ID:HASH form `audit verify --expect` takes, so a copy kept by the
// log collector shows truncation or a wholesale rewrite.
func TestAuditHeadAnchoredInLog(t *testing.T) {
	var logs lockedBuffer
	ta := newTestApp(t, withWorkers(), withConfig(func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	}))
	// At start: the (empty) head.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(logs.String(), `"msg":"audit chain head"`) {
		<-tick.C
	}
	ctx := context.Background()
	if err := ta.db.Audit(ctx, store.AuditEntry{Actor: "t", Action: "export.audit"}); err != nil {
		t.Fatal(err)
	}
	ta.app.anchorAuditHead(ctx)
	id, hash, err := ta.db.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(`"expect":"%d:%s"`, id, hash); !strings.Contains(logs.String(), want) {
		t.Fatalf("the log has no anchor line with %s:\n%s", want, logs.String())
	}
}
