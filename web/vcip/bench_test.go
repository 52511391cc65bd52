package vcip

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkDecode decodes each body in testdata, one sub-benchmark per file: the published
// example, the shapes real senders use and the bodies the decoder refuses.
func BenchmarkDecode(b *testing.B) {
	paths, err := filepath.Glob("testdata/*.json")
	if err != nil || len(paths) == 0 {
		b.Fatalf("no testdata bodies: %v", err)
	}
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(filepath.Base(p), ".json"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				_, _ = Decode(body)
			}
		})
	}
}
