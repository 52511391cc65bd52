package e2e

import (
	"os"
	"path/filepath"
	"sync"
)

// The seed's pictures are drawn by the demo's drawer (web/demo), each kind at its own size so a
// test can tell from naturalWidth which file the browser shows. Drawing is deterministic.

// videoFiles are the WebM files the seed may use, best first: the demo's 8-second clip (key
// frames every second, so seeking lands close), else the media fetcher's 2-second fixture.
var videoFiles = []string{
	filepath.Join("..", "web", "demo", "assets", "demo.webm"),
	filepath.Join("..", "web", "mediafetch", "testdata", "tiny.webm"),
}

var video struct {
	once sync.Once
	data []byte
	err  error
}

// webm returns the seed's video, read from disk once.
func webm() ([]byte, error) {
	video.once.Do(func() {
		for _, f := range videoFiles {
			if video.data, video.err = os.ReadFile(f); video.err == nil {
				return
			}
		}
	})
	return video.data, video.err
}

// drawn memoizes the pictures by name: every app of the run serves the same files, and
// drawing them again for each would cost seconds under -race.
var drawn struct {
	mu    sync.Mutex
	files map[string][]byte
}

// picture returns the PNG named name, drawing it on first use.
func picture(name string, draw func() []byte) []byte {
	drawn.mu.Lock()
	defer drawn.mu.Unlock()
	if b, ok := drawn.files[name]; ok {
		return b
	}
	if drawn.files == nil {
		drawn.files = map[string][]byte{}
	}
	b := draw()
	drawn.files[name] = b
	return b
}
