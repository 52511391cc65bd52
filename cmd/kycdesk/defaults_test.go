package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/kycdesk/kycdesk/web"
)

// TestServeDefaultsComeFromDefaultConfig: with no flags, `kycdesk serve` configures exactly
// web.DefaultConfig() (the one place defaults are written), apart from what it must fill in.
func TestServeDefaultsComeFromDefaultConfig(t *testing.T) {
	for _, v := range []string{"KYCDESK_ADDR", "KYCDESK_SLA", "KYCDESK_MIN_FREE_DISK", "KYCDESK_MEDIA_WORKERS", "KYCDESK_FOUR_EYES", "KYCDESK_SESSION_KEY"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)
	}
	data := filepath.Join(t.TempDir(), "data")
	o, err := parseServe([]string{"--data", data})
	if err != nil {
		t.Fatal(err)
	}
	got, want := o.cfg, web.DefaultConfig()
	if len(got.SessionKey) != 64 {
		t.Errorf("session key of %d bytes, want one generated into the data dir", len(got.SessionKey))
	}
	got.SessionKey, got.DataDir, want.DataDir = nil, "", ""
	if !reflect.DeepEqual(got, want) {
		t.Errorf("serve defaults differ from web.DefaultConfig():\n got %+v\nwant %+v", got, want)
	}
	if o.logLevel.String() != "INFO" {
		t.Errorf("log level %s, want INFO", o.logLevel)
	}
}
