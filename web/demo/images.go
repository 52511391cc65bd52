package demo

import (
	"bytes"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strings"
)

// The pictures are drawn, not photographed: flat shapes that look enough like an identity card,
// a selfie or a video-call frame for the case page to be judged, and that compress to a few KB.

// look is how a drawn person appears. The same seed always gives the same look, so a person's
// selfie matches the photo on their document (and two cases can share a face on purpose).
type look struct {
	skin, hair, shirt, bg    color.RGBA
	longHair, glasses, beard bool
}

var (
	skinTones  = []color.RGBA{{241, 210, 184, 255}, {224, 182, 150, 255}, {198, 146, 108, 255}, {160, 110, 76, 255}, {120, 80, 56, 255}, {233, 196, 160, 255}}
	hairTones  = []color.RGBA{{40, 30, 25, 255}, {90, 60, 35, 255}, {170, 130, 80, 255}, {210, 180, 120, 255}, {25, 25, 30, 255}, {130, 50, 30, 255}, {150, 150, 150, 255}}
	shirtTones = []color.RGBA{{52, 84, 140, 255}, {140, 40, 50, 255}, {60, 110, 80, 255}, {70, 70, 80, 255}, {200, 170, 60, 255}, {110, 70, 130, 255}, {220, 220, 225, 255}}
	wallTones  = []color.RGBA{{222, 226, 230, 255}, {236, 230, 214, 255}, {205, 218, 228, 255}, {228, 220, 228, 255}, {214, 226, 214, 255}}
)

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// lookFor is the look of the person seed names; sex (MALE, FEMALE) only shapes the odds of long hair and a beard.
func lookFor(seed, sex string) look {
	h := hash32(seed)
	pick := func(n int) int { v := int(h % uint32(n)); h /= uint32(n); return v }
	l := look{skin: skinTones[pick(len(skinTones))], hair: hairTones[pick(len(hairTones))],
		shirt: shirtTones[pick(len(shirtTones))], bg: wallTones[pick(len(wallTones))]}
	l.longHair, l.glasses, l.beard = pick(4) < 3, pick(4) == 0, pick(3) == 0
	if sex != "FEMALE" {
		l.longHair = pick(6) == 0
	}
	if sex != "MALE" {
		l.beard = false
	}
	return l
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

func shade(c color.RGBA, f float64) color.RGBA {
	s := func(v uint8) uint8 { return uint8(min(255, float64(v)*f)) }
	return color.RGBA{s(c.R), s(c.G), s(c.B), 255}
}

func fillRect(img draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func strokeRect(img draw.Image, r image.Rectangle, w int, c color.Color) {
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	fillRect(img, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	fillRect(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
	fillRect(img, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
}

// fillEllipse fills the ellipse one row span at a time.
func fillEllipse(img *image.RGBA, cx, cy, rx, ry int, c color.RGBA) {
	src := image.NewUniform(c)
	for y := cy - ry; y <= cy+ry; y++ {
		dy := float64(y-cy) / float64(ry)
		half := int(float64(rx) * math.Sqrt(1-dy*dy))
		draw.Draw(img, image.Rect(cx-half, y, cx+half+1, y+1), src, image.Point{}, draw.Src)
	}
}

// scaleInto draws src into r of dst, nearest-neighbour, copying pixels straight between the buffers.
func scaleInto(dst *image.RGBA, r image.Rectangle, src *image.RGBA) {
	sb := src.Bounds()
	clip := r.Intersect(dst.Rect)
	for y := clip.Min.Y; y < clip.Max.Y; y++ {
		sy := sb.Min.Y + (y-r.Min.Y)*sb.Dy()/r.Dy()
		srow := src.Pix[src.PixOffset(sb.Min.X, sy):]
		drow := dst.Pix[dst.PixOffset(clip.Min.X, y):]
		for x := clip.Min.X; x < clip.Max.X; x++ {
			sx := (x - r.Min.X) * sb.Dx() / r.Dx()
			copy(drow[(x-clip.Min.X)*4:(x-clip.Min.X)*4+4], srow[sx*4:sx*4+4])
		}
	}
}

// encodePNG encodes a drawing as a paletted PNG when it has at most 256 colours (they all do:
// flat shapes): a quarter of the bytes to compress and no per-row filtering, which matters
// because Load encodes some two hundred of them.
func encodePNG(img *image.RGBA) []byte {
	var out image.Image = img
	if p := toPaletted(img); p != nil {
		out = p
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, out); err != nil {
		panic("demo: encode png: " + err.Error()) // only fails on a writer error; a bytes.Buffer has none
	}
	return b.Bytes()
}

// toPaletted returns img with an exact palette of its colours, or nil when it has more than 256.
// Drawings come in long runs of one colour, so the map is rarely consulted.
func toPaletted(img *image.RGBA) *image.Paletted {
	out := image.NewPaletted(img.Rect, nil)
	index := map[[4]uint8]uint8{}
	var last [4]uint8
	lastIdx, have := uint8(0), false
	for i, j := 0, 0; i+3 < len(img.Pix); i, j = i+4, j+1 {
		k := [4]uint8(img.Pix[i : i+4])
		if !have || k != last {
			n, ok := index[k]
			if !ok {
				if len(out.Palette) == 256 {
					return nil
				}
				n = uint8(len(out.Palette))
				index[k] = n
				out.Palette = append(out.Palette, color.RGBA{k[0], k[1], k[2], k[3]})
			}
			last, lastIdx, have = k, n, true
		}
		out.Pix[j] = lastIdx
	}
	return out
}

// portrait draws a head-and-shoulders picture, 240×320.
func portrait(l look) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 240, 320))
	for y := 0; y < 320; y += 8 { // a wall lit from above, in bands so the picture keeps a small palette
		fillRect(img, image.Rect(0, y, 240, y+8), shade(l.bg, 1.04-float64(y)/320*0.14))
	}
	if l.longHair {
		fillEllipse(img, 120, 170, 78, 110, l.hair)
	}
	fillEllipse(img, 120, 350, 118, 100, l.shirt)
	fillEllipse(img, 120, 262, 34, 14, shade(l.shirt, 0.8)) // collar
	fillRect(img, image.Rect(100, 200, 141, 262), shade(l.skin, 0.88))
	fillEllipse(img, 62, 160, 10, 18, shade(l.skin, 0.92))
	fillEllipse(img, 178, 160, 10, 18, shade(l.skin, 0.92))
	fillEllipse(img, 120, 124, 64, 60, l.hair)
	fillEllipse(img, 120, 160, 56, 68, l.skin)
	fillEllipse(img, 120, 104, 56, 22, l.hair) // fringe
	white, iris := rgb(250, 250, 250), rgb(50, 40, 35)
	for _, x := range []int{97, 143} {
		fillRect(img, image.Rect(x-12, 136, x+12, 140), shade(l.hair, 0.9)) // brows
		fillEllipse(img, x, 152, 10, 5, white)
		fillEllipse(img, x, 152, 4, 4, iris)
	}
	fillRect(img, image.Rect(117, 158, 121, 182), shade(l.skin, 0.85))
	fillEllipse(img, 120, 184, 9, 4, shade(l.skin, 0.82))
	if l.beard {
		fillEllipse(img, 120, 212, 44, 20, shade(l.hair, 1.1))
		fillEllipse(img, 120, 200, 30, 8, l.skin)
	}
	fillEllipse(img, 120, 203, 16, 5, rgb(170, 84, 80))
	if l.glasses {
		for _, x := range []int{97, 143} {
			strokeRect(img, image.Rect(x-17, 141, x+17, 164), 3, rgb(35, 35, 40))
		}
		fillRect(img, image.Rect(114, 148, 126, 151), rgb(35, 35, 40))
	}
	return img
}

// selfiePNG is the FACE photo.
func selfiePNG(l look) []byte { return encodePNG(portrait(l)) }

// docArt is what is printed on a drawn identity document.
type docArt struct {
	country, kind                 string // issuing country (alpha-2), docType
	surname, given                string
	number, personalCode, address string
	dob, expiry, issued, sex, nat string // dates YYYY-MM-DD; nat alpha-2
	face                          look
}

var bandColours = map[string]color.RGBA{
	"UA": rgb(0, 87, 183), "LT": rgb(0, 106, 68), "PL": rgb(200, 16, 46), "DE": rgb(60, 60, 60),
	"ES": rgb(170, 21, 27), "TR": rgb(227, 10, 23), "RU": rgb(0, 57, 166), "GB": rgb(1, 33, 105),
	"IE": rgb(22, 155, 98), "IN": rgb(255, 153, 51), "AE": rgb(0, 115, 47), "LV": rgb(158, 48, 57),
	"FR": rgb(0, 35, 149), "IT": rgb(0, 140, 69), "RO": rgb(0, 43, 127), "GE": rgb(224, 0, 0),
}

func band(country string) color.RGBA {
	if c, ok := bandColours[country]; ok {
		return c
	}
	h := hash32(country)
	return rgb(uint8(40+h%120), uint8(40+(h>>8)%120), uint8(80+(h>>16)%140))
}

func docTitle(kind string) string {
	switch kind {
	case "ID_CARD":
		return "IDENTITY CARD"
	case "DRIVER_LICENSE":
		return "DRIVING LICENCE"
	case "RESIDENCE_PERMIT":
		return "RESIDENCE PERMIT"
	case "PAN_CARD":
		return "PERMANENT ACCOUNT NO"
	}
	return strings.ReplaceAll(kind, "_", " ")
}

// docFront draws the photo side of a document, 480×300.
func docFront(d docArt) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	c := band(d.country)
	fillRect(img, img.Rect, rgb(238, 240, 236))
	for y := 60; y < 300; y += 14 { // guilloche-ish background lines
		fillRect(img, image.Rect(0, y, 480, y+1), shade(c, 2.4))
	}
	fillRect(img, image.Rect(0, 0, 480, 48), c)
	light := rgb(255, 255, 255)
	drawText(img, 14, 10, d.country, textStyle{px: 4, c: light})
	drawText(img, 76, 12, docTitle(d.kind), textStyle{px: 2, c: light})
	drawText(img, 76, 32, d.country+" "+nationalityWord(d.nat), textStyle{px: 1, c: light})
	photo := image.Rect(18, 62, 138, 222)
	scaleInto(img, photo, portrait(d.face))
	strokeRect(img, photo, 1, shade(c, 0.7))
	dark, grey := rgb(30, 32, 40), rgb(110, 115, 120)
	rows := [][2]string{{"SURNAME", d.surname}, {"GIVEN NAMES", d.given}, {"DATE OF BIRTH", d.dob + "  " + d.sex[:min(1, len(d.sex))]},
		{"DOCUMENT NO", d.number}, {"DATE OF EXPIRY", d.expiry}}
	for i, r := range rows {
		y := 62 + i*31
		drawText(img, 156, y, r[0], textStyle{px: 1, c: grey})
		drawText(img, 156, y+10, clip(r[1], 26), textStyle{px: 2, c: dark})
	}
	if d.kind == "PASSPORT" {
		fillRect(img, image.Rect(0, 232, 480, 300), rgb(250, 250, 246))
		l1, l2 := mrzTD3(d)
		mrz := textStyle{px: 1, py: 2, adv: 10, c: dark}
		drawText(img, 20, 244, l1, mrz)
		drawText(img, 20, 268, l2, mrz)
	} else {
		fillRect(img, image.Rect(18, 236, 62, 270), rgb(212, 175, 55)) // chip
		strokeRect(img, image.Rect(18, 236, 62, 270), 2, rgb(160, 130, 40))
		for i := 0; i < 60; i++ { // signature
			x := 300 + i*2
			y := 256 + int(hash32(d.surname+string(rune(i)))%9)
			fillRect(img, image.Rect(x, y, x+3, y+2), rgb(20, 30, 90))
		}
	}
	strokeRect(img, img.Rect, 2, shade(c, 0.8))
	return encodePNG(img)
}

// docBackImage draws the reverse of a card: address block, barcode and a three-line MRZ, 480×300.
func docBackImage(d docArt) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	c := band(d.country)
	fillRect(img, img.Rect, rgb(236, 238, 240))
	fillRect(img, image.Rect(0, 0, 480, 16), c)
	dark, grey := rgb(30, 32, 40), rgb(110, 115, 120)
	drawText(img, 20, 30, "PERSONAL CODE", textStyle{px: 1, c: grey})
	drawText(img, 20, 40, clip(d.personalCode, 18), textStyle{px: 2, c: dark})
	drawText(img, 20, 66, "DATE OF ISSUE", textStyle{px: 1, c: grey})
	drawText(img, 20, 76, d.issued, textStyle{px: 2, c: dark})
	h := hash32(d.number)
	for x := 260; x < 460; x += 2 { // barcode
		if h = h*1664525 + 1013904223; h>>29 > 2 {
			fillRect(img, image.Rect(x, 30, x+1+int(h>>31), 100), dark)
		}
	}
	fillRect(img, image.Rect(0, 170, 480, 300), rgb(250, 250, 246))
	if d.kind == "ID_CARD" || d.kind == "RESIDENCE_PERMIT" {
		mrz := textStyle{px: 2, adv: 14, c: dark}
		for i, l := range mrzTD1(d) {
			drawText(img, 30, 184+i*36, l, mrz)
		}
	} else { // licences and Indian cards carry no MRZ: the address instead
		drawText(img, 20, 184, "ADDRESS", textStyle{px: 1, c: grey})
		for i, line := range wrap(d.address, 36, 3) {
			drawText(img, 20, 196+i*22, line, textStyle{px: 2, c: dark})
		}
	}
	strokeRect(img, img.Rect, 2, shade(c, 0.8))
	return img
}

// docBack is docBackImage as a PNG.
func docBack(d docArt) []byte { return encodePNG(docBackImage(d)) }

// wrap breaks s into at most lines lines of at most n characters, at spaces.
func wrap(s string, n, lines int) []string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len([]rune(cur))+1+len([]rune(w)) > n {
			out = append(out, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		out = append(out, cur)
	}
	if len(out) > lines {
		out = out[:lines]
	}
	for i := range out {
		out[i] = clip(out[i], n)
	}
	return out
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func nationalityWord(alpha2 string) string {
	if a3, ok := alpha3[alpha2]; ok {
		return strings.TrimRight(a3, "<")
	}
	return alpha2
}
