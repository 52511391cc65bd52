package demo

import (
	"bytes"
	"image/png"
	"testing"
	"time"
)

func TestZZCompression(t *testing.T) {
	v := videoCases()[0]
	imgs := []interface{ Bounds() interface{} }{}
	_ = imgs
	frame := callFrame(lookFor("x", "MALE"), v.docs()[0].image(), true, 10, 1)
	front := portrait(lookFor("x", "MALE"))
	for _, lvl := range []png.CompressionLevel{png.BestCompression, png.DefaultCompression, png.BestSpeed} {
		start := time.Now()
		n := 0
		for i := 0; i < 10; i++ {
			var b bytes.Buffer
			(&png.Encoder{CompressionLevel: lvl}).Encode(&b, frame)
			n = b.Len()
			b.Reset()
			(&png.Encoder{CompressionLevel: lvl}).Encode(&b, front)
			n += b.Len()
		}
		t.Logf("level %d: %v per pair, %d bytes", lvl, time.Since(start)/10, n)
	}
	start := time.Now()
	for i := 0; i < 10; i++ {
		callFrame(lookFor("x", "MALE"), v.docs()[0].image(), true, 10, 1)
	}
	t.Logf("draw frame: %v", time.Since(start)/10)
}
