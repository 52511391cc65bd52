package web

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kycdesk/kycdesk/store"
	"github.com/kycdesk/kycdesk/store/storetest"
)

// BenchmarkAuditExport1M exports an audit log of 1,000,000 entries to CSV with the real command,
// `kycdesk export audit --data DIR --format csv > /dev/null`, run as a subprocess so that its peak
// resident memory can be read honestly from the kernel (rusage Maxrss) rather than guessed from the
// Go heap. It reports rows per second of wall time and the peak RSS in MB. Seeding and building the
// binary are not timed. Run it once:
//
//	go test -run '^$' -bench AuditExport1M -benchtime 1x ./web
func BenchmarkAuditExport1M(b *testing.B) {
	const rows = 1_000_000
	ctx := context.Background()
	dir := b.TempDir()
	bin := filepath.Join(dir, "kycdesk")
	build := exec.Command("go", "build", "-o", bin, "./cmd/kycdesk")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build kycdesk: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		b.Fatal(err)
	}
	seedStart := time.Now()
	if err := storetest.SeedAudit(ctx, db, rows); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d audit entries in %s", rows, time.Since(seedStart).Round(time.Millisecond))
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()

	b.ResetTimer()
	var elapsed time.Duration
	var peakKiB int64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "export", "audit", "--data", data, "--format", "csv")
		cmd.Stdout = devNull
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("export: %v: %s", err, stderr.String())
		}
		elapsed += time.Since(start)
		if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > peakKiB {
			peakKiB = rss // KiB on Linux
		}
	}
	b.StopTimer()

	// Each run writes its own export.audit entry before streaming, so run i exported rows+i+1 entries.
	exported := int64(b.N)*rows + int64(b.N)*int64(b.N+1)/2
	b.ReportMetric(float64(exported)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peakKiB)/1024, "peak-MB")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/export")

	// Check (untimed) that the export really holds every entry: a header and one record per entry.
	cmd := exec.Command(bin, "export", "audit", "--data", data, "--format", "csv")
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	lines, err := countLines(out)
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		b.Fatal(err)
	}
	// No detail contains a newline, so lines are records: the header, the seed, every export entry.
	if want := int64(1 + rows + b.N + 1); lines != want {
		b.Fatalf("the export has %d lines, want %d", lines, want)
	}
}

func countLines(r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var n int64
	buf := make([]byte, 1<<20)
	for {
		k, err := br.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
