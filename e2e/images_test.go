package e2e

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// The seed's pictures are drawn, not photographed: flat shapes that read as an identity card,
// a selfie or a frame of a video call at a glance. Each kind has its own size, so a test can
// tell from naturalWidth which file the browser shows. Drawing is deterministic.
var (
	sizeFront      = image.Pt(480, 300)
	sizeBack       = image.Pt(472, 296)
	sizeFace       = image.Pt(360, 450)
	sizeDocument   = image.Pt(420, 264)
	sizeScreenshot = image.Pt(640, 360)
	sizeThumbnail  = image.Pt(320, 180)
)

// palette is a person's colours, picked from their seed key.
type palette struct {
	skin, hair, shirt, band, bg color.RGBA
}

func paletteFor(key string) palette {
	h := fnv.New32a()
	h.Write([]byte(key))
	n := h.Sum32()
	skins := []color.RGBA{{241, 204, 178, 255}, {224, 172, 135, 255}, {198, 140, 100, 255}, {141, 95, 66, 255}, {233, 190, 160, 255}}
	hairs := []color.RGBA{{52, 36, 28, 255}, {30, 26, 24, 255}, {120, 82, 46, 255}, {176, 140, 90, 255}, {90, 60, 40, 255}}
	shirts := []color.RGBA{{60, 90, 140, 255}, {110, 60, 80, 255}, {50, 110, 90, 255}, {90, 90, 100, 255}, {150, 110, 50, 255}}
	bands := []color.RGBA{{31, 78, 140, 255}, {122, 28, 48, 255}, {20, 102, 82, 255}, {88, 60, 140, 255}, {160, 92, 20, 255}}
	bgs := []color.RGBA{{214, 226, 236, 255}, {232, 224, 214, 255}, {220, 232, 222, 255}, {226, 222, 236, 255}, {236, 230, 214, 255}}
	return palette{skin: skins[n%5], hair: hairs[(n/5)%5], shirt: shirts[(n/25)%5], band: bands[(n/125)%5], bg: bgs[(n/625)%5]}
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

func shade(c color.RGBA, f float64) color.RGBA {
	s := func(v uint8) uint8 { return uint8(min(255, float64(v)*f)) }
	return color.RGBA{s(c.R), s(c.G), s(c.B), 255}
}

func fill(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// ellipse fills an ellipse row by row (a span per row keeps drawing fast under -race).
func ellipse(img *image.RGBA, cx, cy, rx, ry int, c color.RGBA) {
	for y := cy - ry; y <= cy+ry; y++ {
		dy := float64(y-cy) / float64(ry)
		half := int(float64(rx) * math.Sqrt(max(0, 1-dy*dy)))
		fill(img, image.Rect(cx-half, y, cx+half+1, y+1).Intersect(img.Rect), c)
	}
}

// person draws a head and shoulders filling r.
func person(img *image.RGBA, r image.Rectangle, p palette) {
	w, h := r.Dx(), r.Dy()
	cx := r.Min.X + w/2
	// shoulders
	ellipse(img, cx, r.Max.Y+h/8, w*9/20, h*3/10, p.shirt)
	fill(img, image.Rect(cx-w/10, r.Min.Y+h*58/100, cx+w/10, r.Min.Y+h*72/100), shade(p.skin, 0.92))
	// hair behind, face, hair on top
	ellipse(img, cx, r.Min.Y+h*36/100, w*27/100, h*27/100, p.hair)
	ellipse(img, cx, r.Min.Y+h*40/100, w*22/100, h*24/100, p.skin)
	ellipse(img, cx, r.Min.Y+h*20/100, w*22/100, h*9/100, p.hair)
	// eyes, mouth
	eye := shade(p.hair, 0.7)
	ellipse(img, cx-w*8/100, r.Min.Y+h*38/100, max(2, w/60), max(2, h/90), eye)
	ellipse(img, cx+w*8/100, r.Min.Y+h*38/100, max(2, w/60), max(2, h/90), eye)
	ellipse(img, cx, r.Min.Y+h*52/100, w*5/100, max(2, h/110), shade(p.skin, 0.7))
}

// textLines draws grey bars where a card's printed fields would be.
func textLines(img *image.RGBA, x, y, n, width, step int, c color.RGBA) {
	for i := 0; i < n; i++ {
		w := width - (i*37)%(width/3)
		fill(img, image.Rect(x, y+i*step, x+w, y+i*step+step/3), c)
	}
}

// mrz draws two lines of machine-readable-zone "characters".
func mrz(img *image.RGBA, r image.Rectangle, seed string) {
	h := fnv.New32a()
	h.Write([]byte(seed))
	n := h.Sum32()
	fill(img, r, rgb(246, 246, 240))
	cw := 9
	for line := 0; line < 2; line++ {
		y := r.Min.Y + 8 + line*(r.Dy()/2)
		for x := r.Min.X + 10; x+cw <= r.Max.X-10; x += cw {
			n = n*1664525 + 1013904223
			if n>>28 < 3 { // a filler "<"
				fill(img, image.Rect(x+2, y+6, x+cw-3, y+8), rgb(90, 90, 90))
				continue
			}
			fill(img, image.Rect(x+1, y, x+cw-2, y+r.Dy()/2-14), rgb(60, 60, 60))
		}
	}
}

func cardFront(key string) []byte {
	p := paletteFor(key)
	img := image.NewRGBA(image.Rectangle{Max: sizeFront})
	fill(img, img.Rect, rgb(250, 248, 242))
	fill(img, image.Rect(0, 0, sizeFront.X, 44), p.band)
	textLines(img, 16, 14, 1, 220, 48, rgb(250, 250, 250))
	photo := image.Rect(18, 60, 148, 220)
	fill(img, photo, p.bg)
	person(img, photo, p)
	fill(img, image.Rect(photo.Min.X, photo.Max.Y, photo.Max.X, photo.Max.Y+1), rgb(180, 180, 180))
	textLines(img, 168, 66, 6, 280, 26, rgb(150, 156, 166))
	mrz(img, image.Rect(0, 236, sizeFront.X, sizeFront.Y), key+"/front")
	return encodePNG(img)
}

func cardBack(key string) []byte {
	p := paletteFor(key)
	img := image.NewRGBA(image.Rectangle{Max: sizeBack})
	fill(img, img.Rect, rgb(246, 244, 238))
	fill(img, image.Rect(0, 0, sizeBack.X, 12), p.band)
	textLines(img, 20, 30, 5, 260, 24, rgb(160, 164, 172))
	// a barcode
	for x, i := 300, 0; x < 452; x, i = x+3, i+1 {
		if (i*7+len(key))%5 < 3 {
			fill(img, image.Rect(x, 34, x+2, 140), rgb(30, 30, 30))
		}
	}
	mrz(img, image.Rect(0, 200, sizeBack.X, sizeBack.Y), key+"/back")
	return encodePNG(img)
}

func selfie(key string) []byte {
	p := paletteFor(key)
	img := image.NewRGBA(image.Rectangle{Max: sizeFace})
	for y := 0; y < sizeFace.Y; y++ {
		fill(img, image.Rect(0, y, sizeFace.X, y+1), shade(p.bg, 1.04-float64(y)/float64(sizeFace.Y)*0.18))
	}
	person(img, image.Rect(30, 40, 330, 450), p)
	return encodePNG(img)
}

// document is a small card in the brand colours of an Indian document (PAN card).
func documentImage(key string) []byte {
	p := paletteFor(key)
	img := image.NewRGBA(image.Rectangle{Max: sizeDocument})
	fill(img, img.Rect, rgb(236, 240, 248))
	fill(img, image.Rect(0, 0, sizeDocument.X, 40), rgb(24, 64, 120))
	textLines(img, 14, 14, 1, 200, 40, rgb(240, 240, 240))
	photo := image.Rect(300, 60, 400, 190)
	fill(img, photo, p.bg)
	person(img, photo, p)
	textLines(img, 18, 64, 6, 240, 28, rgb(80, 90, 110))
	return encodePNG(img)
}

// callFrame is a frame of the video call: the customer, and in step >= 1 the card they hold up.
func callFrame(key string, size image.Point, step, variant int) *image.RGBA {
	p := paletteFor(key)
	img := image.NewRGBA(image.Rectangle{Max: size})
	wall := shade(p.bg, 0.82-float64(variant)*0.04)
	fill(img, img.Rect, wall)
	w, h := size.X, size.Y
	offset := (variant - 1) * w / 40
	person(img, image.Rect(w/4+offset, h/10, w*3/4+offset, h), p)
	if step >= 1 {
		card := image.Rect(w*3/5, h/2, w*3/5+w/4, h/2+w/4*5/8)
		fill(img, card, rgb(236, 240, 248))
		fill(img, image.Rect(card.Min.X, card.Min.Y, card.Max.X, card.Min.Y+card.Dy()/6), rgb(24, 64, 120))
		textLines(img, card.Min.X+6, card.Min.Y+card.Dy()/3, 3, card.Dx()*6/10, card.Dy()/5, rgb(90, 100, 120))
	}
	// the call's overlay: a recording dot and a timer bar
	ellipse(img, 18, 18, 6, 6, rgb(210, 40, 40))
	fill(img, image.Rect(30, 14, 30+w/8, 22), rgb(250, 250, 250))
	return img
}

func screenshot(key string, step, variant int) []byte {
	return encodePNG(callFrame(key, sizeScreenshot, step, variant))
}

func thumbnail(key string) []byte { return encodePNG(callFrame(key, sizeThumbnail, 0, 1)) }

func encodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		panic(err) // an in-memory RGBA image always encodes
	}
	return buf.Bytes()
}

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
