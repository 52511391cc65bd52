// Package outbound delivers the desk's events to the bank's systems as Standard Webhooks 1.0:
// signed POSTs from a durable outbox in the database, retried on a fixed schedule, in sequence
// order per case, through the same address guard as the media fetcher.
package outbound

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// NewSecret returns a signing secret: "whsec_" and the base64 of 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("outbound: secret: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

// Signature is the webhook-signature header: one "v1,<base64 HMAC-SHA256>" of
// "{id}.{timestamp}.{body}" per secret, space-separated. The key is the base64-decoded text
// after "whsec_".
func Signature(msgID string, ts time.Time, body []byte, secrets []string) (string, error) {
	parts := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil {
			return "", fmt.Errorf("outbound: a signing secret is not whsec_ and base64: %w", err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID))
		mac.Write([]byte{'.'})
		mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
		mac.Write([]byte{'.'})
		mac.Write(body)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(parts, " "), nil
}

// envelope is the Standard Webhooks payload shape.
type envelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      store.EventData `json:"data"`
}

// Payload is the body sent for an event. It depends only on the stored event and the base URL,
// so every retry and replay sends the same bytes.
func Payload(ev store.Event, baseURL string) ([]byte, error) {
	d := ev.Data
	if baseURL != "" && ev.CaseID != 0 {
		d.CaseURL = strings.TrimRight(baseURL, "/") + "/cases/" + strconv.FormatInt(ev.CaseID, 10)
	}
	return json.Marshal(envelope{Type: ev.Type, Timestamp: ev.At.UTC().Format(time.RFC3339), Data: d})
}
