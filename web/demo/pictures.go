package demo

import (
	"fmt"
	"image"
	"strings"
)

// Pictures of a made-up person, drawn as the demo draws its cases, for tests and tools that need
// media files. The same seed always gives the same person, so a selfie matches the photo on the
// card. Each kind has its own width, so a page's naturalWidth tells which file it shows.
var (
	FrontSize     = image.Pt(480, 300)
	BackSize      = image.Pt(464, 290)
	FaceSize      = image.Pt(240, 320)
	DocumentSize  = image.Pt(420, 264)
	FrameSize     = image.Pt(480, 270)
	ThumbnailSize = image.Pt(320, 240)
)

// seedArt is the identity card of the person seed names, issued by country.
func seedArt(seed, country string) docArt {
	h := hash32(seed)
	name := strings.ToUpper(strings.ReplaceAll(seed, "-", " "))
	return docArt{country: country, kind: "ID_CARD", surname: name, given: "TEST", nat: country,
		number: fmt.Sprintf("T%07d", h%10000000), personalCode: fmt.Sprintf("3900101%04d", h%10000),
		address: "1 TEST STREET, TEST CITY",
		dob:     "1990-01-01", expiry: "2031-01-01", issued: "2021-01-01", sex: "F", face: lookFor(seed, "")}
}

// FrontPNG is the photo side of seed's identity card.
func FrontPNG(seed, country string) []byte { return docFront(seedArt(seed, country)) }

// BackPNG is the reverse of seed's identity card.
func BackPNG(seed, country string) []byte {
	return scaledPNG(docBackImage(seedArt(seed, country)), BackSize)
}

// SelfiePNG is seed's selfie.
func SelfiePNG(seed string) []byte { return selfiePNG(lookFor(seed, "")) }

// DocumentPNG is the PAN card seed holds up in a video-KYC call.
func DocumentPNG(seed string) []byte {
	return scaledPNG(indianDoc{kind: "PAN", name: strings.ToUpper(seed), father: "TEST", dob: "01/01/1990",
		no: "ABCDE1234F", face: lookFor(seed, "")}.image(), DocumentSize)
}

// FramePNG is one screenshot of seed's video call; variant moves the person a little.
func FramePNG(seed string, step, variant int) []byte {
	return encodePNG(callFrame(lookFor(seed, ""), nil, false, 30*step+variant, variant))
}

// ThumbnailPNG is the poster of seed's recorded video.
func ThumbnailPNG(seed string) []byte { return thumbnail(lookFor(seed, "")) }

func scaledPNG(src *image.RGBA, size image.Point) []byte {
	img := image.NewRGBA(image.Rectangle{Max: size})
	scaleInto(img, img.Rect, src)
	return encodePNG(img)
}
