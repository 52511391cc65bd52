package web

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
//
// The seeding runs in a process of its own too. A child started by os/exec (vfork, then exec)
// inherits as its Maxrss the peak of the process that started it (the kernel carries the old
// address space's high-water mark over the exec), so a benchmark that seeded a million entries
// itself would report its own peak, not the export's: /bin/true reads 310 MB after a parent that
// touched 300 MB. Even so peak-MB can never be below this benchmark's own peak, reported as
// bench-process-MB (about 44 MB here: the test binary's start-up). export-hwm-MB reads the export's
// peak another way, which the benchmark's own memory cannot reach: the export's VmHWM in /proc,
// read every 5 ms while it runs (what comes after the last read is missed). While peak-MB is above
// bench-process-MB the two agree to a fraction of a MB.
func BenchmarkAuditExport1M(b *testing.B) {
	const rows = auditExportBenchRows
	dir := b.TempDir()
	bin := filepath.Join(dir, "kycdesk")
	build := exec.Command("go", "build", "-o", bin, "./cmd/kycdesk")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build kycdesk: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	seed := exec.Command(os.Args[0], "-test.run=^TestAuditExportSeed$", "-test.count=1")
	seed.Env = append(os.Environ(), "KYCDESK_BENCH_SEED="+data)
	seedStart := time.Now()
	if out, err := seed.CombinedOutput(); err != nil {
		b.Fatalf("seed: %v\n%s", err, out)
	}
	b.Logf("seeded %d audit entries in %s", rows, time.Since(seedStart).Round(time.Millisecond))
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()

	b.ResetTimer()
	var elapsed time.Duration
	var peakKiB, hwmKiB int64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, "export", "audit", "--data", data, "--format", "csv")
		cmd.Stdout = devNull
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		stop := make(chan struct{})
		hwm := sampleHWM(cmd.Process.Pid, stop)
		err := cmd.Wait()
		elapsed += time.Since(start)
		close(stop)
		if err != nil {
			b.Fatalf("export: %v: %s", err, stderr.String())
		}
		if rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > peakKiB {
			peakKiB = rss // KiB on Linux
		}
		hwmKiB = max(hwmKiB, <-hwm)
	}
	b.StopTimer()

	// Each run writes its own export.audit entry before streaming, so run i exported rows+i+1 entries.
	exported := int64(b.N)*rows + int64(b.N)*int64(b.N+1)/2
	b.ReportMetric(float64(exported)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peakKiB)/1024, "peak-MB")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/export")
	b.ReportMetric(float64(hwmKiB)/1024, "export-hwm-MB")
	own, ok := vmHWM("/proc/self/status")
	if !ok {
		b.Fatal("no VmHWM in /proc/self/status")
	}
	b.ReportMetric(float64(own)/1024, "bench-process-MB")

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

// auditExportBenchRows is how many entries BenchmarkAuditExport1M seeds.
const auditExportBenchRows = 1_000_000

// TestAuditExportSeed is BenchmarkAuditExport1M's seeding, run by it in a process of its own (with
// KYCDESK_BENCH_SEED naming the data dir); on its own it skips.
func TestAuditExportSeed(t *testing.T) {
	data := os.Getenv("KYCDESK_BENCH_SEED")
	if data == "" {
		t.Skip("run by BenchmarkAuditExport1M")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, "kycdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.SeedAudit(ctx, db, auditExportBenchRows); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// sampleHWM reads the VmHWM of process pid (the peak of its own address space since its exec)
// every 5 ms until stop is closed, then sends the largest value read.
func sampleHWM(pid int, stop <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		path := "/proc/" + strconv.Itoa(pid) + "/status"
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var peak int64
		for {
			if kib, ok := vmHWM(path); ok {
				peak = max(peak, kib)
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

// vmHWM is the VmHWM line of a /proc/PID/status file in KiB; false once the process has exited.
func vmHWM(path string) (int64, bool) {
	status, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kib, err == nil
		}
	}
	return 0, false
}
