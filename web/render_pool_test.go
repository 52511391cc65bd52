package web

import "testing"

// TestRenderDoesNotPoolHugeBuffers: a buffer that grew past maxPooledBuffer for one huge page is
// dropped, not kept in the pool for the life of the process.
func TestRenderDoesNotPoolHugeBuffers(t *testing.T) {
	for range 8 {
		big := renderBuffer()
		big.Grow(64 << 20)
		recycleBuffer(big)
		if got := renderBuffer(); got.Cap() > maxPooledBuffer {
			t.Fatalf("renderBuffer() has capacity %d after a huge page, want at most %d", got.Cap(), maxPooledBuffer)
		}
	}
	small := renderBuffer()
	small.WriteString("page")
	recycleBuffer(small)
	if got := renderBuffer(); got.Len() != 0 {
		t.Fatalf("renderBuffer() = %q, want an empty buffer", got.String())
	}
}
