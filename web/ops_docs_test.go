package web

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestAlertsAndDashboardNameRealMetrics: every kycdesk_* metric that docs/alerts.yml and the
// Grafana dashboard use is one the server exports, so a renamed metric cannot leave an alert
// silently watching nothing. (promtool checks the rules' syntax in `make test`.)
func TestAlertsAndDashboardNameRealMetrics(t *testing.T) {
	ta := newTestApp(t)
	descs := make(chan *prometheus.Desc, 100)
	for _, c := range []prometheus.Collector{ta.app.metrics.callbacks, ta.app.metrics.ingest, ta.app.metrics.media, newOpsCollector(ta.app)} {
		c.Describe(descs)
	}
	close(descs)
	exported := map[string]bool{}
	name := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range descs {
		if m := name.FindStringSubmatch(d.String()); m != nil {
			exported[m[1]] = true
		}
	}
	if len(exported) < 10 {
		t.Fatalf("found only %d exported metric names: %v", len(exported), exported)
	}
	used := regexp.MustCompile(`kycdesk_[a-z_]+`)
	for _, file := range []string{"../docs/alerts.yml", "../docs/grafana-dashboard.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		names := used.FindAllString(string(b), -1)
		if len(names) < 5 {
			t.Errorf("%s names only %d kycdesk metrics", file, len(names))
		}
		for _, n := range names {
			base := n
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				base = strings.TrimSuffix(base, suffix)
			}
			if !exported[base] && !exported[n] {
				t.Errorf("%s uses %s, which the server does not export", file, n)
			}
		}
	}
}
