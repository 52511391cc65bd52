package views

import (
	"fmt"
	"strconv"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// HealthPage answers a vendor's "are you receiving our callbacks?": per source, what arrived in the
// window and what became of it, the deliveries waiting in quarantine, and the media archive.
type HealthPage struct {
	Now     time.Time
	Window  time.Duration // the counts cover Now-Window..Now
	Sources []SourceStatus
	// Quarantine is the newest quarantined deliveries; QuarantineTotal counts them all.
	Quarantine      []store.QuarantinedDelivery
	QuarantineTotal int
	// Backlog is the acknowledged callbacks whose case is not derived yet.
	Backlog store.DeriveBacklog
	// Upkeep is the store's background work: fills an upgrade left, failing checkpoints.
	Upkeep store.Upkeep
	Media  store.MediaStats
	// FailedMedia are the newest downloads that gave up, each with a Retry button.
	FailedMedia []store.Media
	// FourEyesGaps are the sources whose four-eyes rule the enabled users cannot satisfy.
	FourEyesGaps []store.Source
	// DisabledEndpoints are webhook endpoints that stopped receiving decisions.
	DisabledEndpoints []store.Endpoint
	// SchemaWarned counts the stored deliveries with schema warnings; SchemaWarnings are the newest.
	SchemaWarned   int
	SchemaWarnings []store.WarnedDelivery
}

// SourceStatus is one vendor's row: its configuration and what arrived.
type SourceStatus struct {
	store.SourceHealth
	Configured bool
	// Endpoint is where the vendor must send callbacks; Flag is the setting that enables the source.
	Endpoint string
	Flag     string
}

// hltRelative reports whether the endpoint is only a path, because the public URL is not configured.
func hltRelative(endpoint string) bool { return len(endpoint) > 0 && endpoint[0] == '/' }

// hltWhere is the callback address in a sentence.
func hltWhere(endpoint string) string {
	if hltRelative(endpoint) {
		return "this server's address followed by " + endpoint
	}
	return endpoint
}

// hltDiagnosis is the one sentence that answers "not receiving a callback?" for a source, and its status class.
func hltDiagnosis(s SourceStatus, now time.Time, window time.Duration) (string, string) {
	w := hltWindow(window)
	switch {
	case !s.Configured:
		return fmt.Sprintf("Not configured: callbacks to %s are refused with 503. Set %s to enable this source.", s.Endpoint, s.Flag), StatusGrey
	case s.Unauthorized > 0:
		msg := fmt.Sprintf("%d callback(s) in the last %s failed authentication", s.Unauthorized, w)
		if s.LastUnauthorizedFrom != "" {
			msg += ", the latest from " + s.LastUnauthorizedFrom
		}
		return msg + ". The vendor reaches this server but with a different secret or token: compare it with " + s.Flag + ".", StatusRed
	case s.Received() == 0 && s.LastReceived.IsZero():
		return fmt.Sprintf("No callback has ever arrived. Check that the vendor's callback URL is %s and that the vendor can reach it.", hltWhere(s.Endpoint)), StatusAmber
	case s.Received() == 0:
		return fmt.Sprintf("No callback in the last %s (the last one arrived %s ago). Check the callback URL in the vendor's dashboard is %s.",
			w, FormatWaited(now.Sub(s.LastReceived)), hltWhere(s.Endpoint)), StatusAmber
	case s.Quarantined > 0:
		return fmt.Sprintf("Receiving, but %d callback(s) could not be read. They are kept below and can be replayed.", s.Quarantined), StatusAmber
	}
	return fmt.Sprintf("Receiving: the last callback arrived %s ago.", FormatWaited(now.Sub(s.LastReceived))), StatusGreen
}

func hltDiagnosisText(s SourceStatus, now time.Time, window time.Duration) string {
	t, _ := hltDiagnosis(s, now, window)
	return t
}

func hltDiagnosisClass(s SourceStatus, now time.Time, window time.Duration) string {
	_, c := hltDiagnosis(s, now, window)
	return c
}

// hltWindow is the window as words: "24 hours".
func hltWindow(d time.Duration) string {
	if d%time.Hour == 0 {
		if d == time.Hour {
			return "hour"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	}
	return d.String()
}

// hltBytes is a size in binary units: "1.4 GiB".
func hltBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// hltCountClass colours a count only when it means something needs a look.
func hltCountClass(n int, class string) string {
	if n == 0 {
		return "num"
	}
	return "num " + class
}

func hltID(s SourceStatus, what string) string { return "health-" + string(s.Source) + "-" + what }

func hltReplayURL(id int64) string {
	return "/admin/deliveries/" + strconv.FormatInt(id, 10) + "/replay"
}

// hltSchemaTotal is the count of warned deliveries, "10,000+" past the store's bound.
func hltSchemaTotal(n int) string {
	if n > 10000 {
		return "10,000+"
	}
	return strconv.Itoa(n)
}

// hltBacklogSlow is how long a callback may wait for its case before the page turns amber; the
// deriver normally keeps up within a second.
const hltBacklogSlow = 10 * time.Second

// hltBacklog says whether every acknowledged callback has reached its case.
func hltBacklog(b store.DeriveBacklog, now time.Time) (string, string) {
	if b.Count == 0 {
		return "Up to date: every stored callback has updated its case.", StatusGreen
	}
	age := now.Sub(b.Oldest)
	msg := fmt.Sprintf("%d stored callback(s) are waiting to update their case; the oldest arrived %s ago. "+
		"They are safe on disk and are applied in order, also after a restart.", b.Count, FormatWaited(max(age, 0)))
	if age > hltBacklogSlow {
		return msg, StatusAmber
	}
	return msg, StatusGreen
}

func hltBacklogText(b store.DeriveBacklog, now time.Time) string {
	t, _ := hltBacklog(b, now)
	return t
}

func hltBacklogClass(b store.DeriveBacklog, now time.Time) string {
	_, c := hltBacklog(b, now)
	return c
}
