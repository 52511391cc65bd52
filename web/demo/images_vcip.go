package demo

import (
	"fmt"
	"image"
	"image/color"
)

// indianDoc is what is printed on a PAN or Aadhaar card shown during a video-KYC call.
type indianDoc struct {
	kind                       string // "PAN" or "AADHAAR"
	name, father, dob, sex, no string
	face                       look
}

// image draws the card, 480×300.
func (d indianDoc) image() *image.RGBA {
	if d.kind == "PAN" {
		return panCard(d)
	}
	return aadhaarCard(d)
}

func panCard(d indianDoc) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	fillRect(img, img.Rect, rgb(214, 232, 238))
	for y := 0; y < 300; y += 10 {
		fillRect(img, image.Rect(0, y, 480, y+1), rgb(200, 222, 232))
	}
	navy, grey := rgb(18, 40, 98), rgb(80, 96, 120)
	drawText(img, 16, 14, "INCOME TAX DEPARTMENT", textStyle{px: 2, c: navy})
	drawText(img, 300, 14, "GOVT. OF INDIA", textStyle{px: 2, c: navy})
	fillRect(img, image.Rect(0, 40, 480, 42), navy)
	rows := [][2]string{{"NAME", d.name}, {"FATHER'S NAME", d.father}, {"DATE OF BIRTH", d.dob}}
	for i, r := range rows {
		drawText(img, 20, 56+i*36, r[0], textStyle{px: 1, c: grey})
		drawText(img, 20, 67+i*36, clip(r[1], 24), textStyle{px: 2, c: rgb(20, 20, 28)})
	}
	drawText(img, 20, 176, "PERMANENT ACCOUNT NUMBER", textStyle{px: 1, c: grey})
	drawText(img, 20, 190, d.no, textStyle{px: 3, c: rgb(20, 20, 28)})
	photo := image.Rect(356, 56, 456, 189)
	scaleInto(img, photo, portrait(d.face))
	strokeRect(img, photo, 1, navy)
	for i := 0; i < 44; i++ { // signature
		x := 30 + i*3
		fillRect(img, image.Rect(x, 250+int(hash32(d.name+fmt.Sprint(i))%10), x+4, 252+int(hash32(d.name+fmt.Sprint(i))%10)), navy)
	}
	drawText(img, 30, 278, "SIGNATURE", textStyle{px: 1, c: grey})
	return img
}

func aadhaarCard(d indianDoc) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	fillRect(img, img.Rect, rgb(252, 252, 250))
	fillRect(img, image.Rect(0, 0, 480, 20), rgb(255, 153, 51))
	fillRect(img, image.Rect(0, 20, 480, 40), rgb(255, 255, 255))
	fillRect(img, image.Rect(0, 40, 480, 46), rgb(19, 136, 8))
	fillEllipse(img, 28, 22, 11, 13, rgb(150, 150, 150))
	drawText(img, 150, 17, "GOVERNMENT OF INDIA", textStyle{px: 2, c: rgb(20, 20, 28)})
	photo := image.Rect(20, 62, 120, 195)
	scaleInto(img, photo, portrait(d.face))
	strokeRect(img, photo, 1, rgb(120, 120, 120))
	grey, dark := rgb(90, 90, 100), rgb(20, 20, 28)
	rows := [][2]string{{"NAME", d.name}, {"DOB", d.dob}, {"GENDER", d.sex}}
	for i, r := range rows {
		drawText(img, 140, 66+i*36, r[0], textStyle{px: 1, c: grey})
		drawText(img, 140, 77+i*36, clip(r[1], 27), textStyle{px: 2, c: dark})
	}
	w := textWidth(d.no, textStyle{px: 3})
	drawText(img, (480-w)/2, 222, d.no, textStyle{px: 3, c: dark})
	fillRect(img, image.Rect(20, 256, 460, 259), rgb(200, 30, 40))
	drawText(img, 120, 270, "MERA AADHAAR MERI PEHACHAN", textStyle{px: 1, adv: 9, c: rgb(200, 30, 40)})
	return img
}

// callFrame draws one frame of the video call, 480×270: the customer, a card they hold up
// (nil for none) with the agent's ID-card box around it, the recording badge and the call clock.
func callFrame(l look, card *image.RGBA, box bool, elapsed int, variant int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 480, 270))
	fillRect(img, img.Rect, rgb(28, 30, 34))
	dx := []int{0, -14, 12, -6}[variant%4]
	if card == nil {
		scaleInto(img, image.Rect(140+dx, 12, 340+dx, 279), portrait(l))
	} else { // the customer moves aside and holds the card up beside their face
		scaleInto(img, image.Rect(70+dx, 12, 270+dx, 279), portrait(l))
		r := image.Rect(278-dx/2, 118, 454-dx/2, 228)
		scaleInto(img, r, card)
		if box {
			strokeRect(img, r.Inset(-6), 2, rgb(46, 204, 113))
		}
	}
	fillEllipse(img, 18, 18, 6, 6, rgb(230, 40, 40))
	drawText(img, 30, 12, "REC", textStyle{px: 2, c: rgb(240, 240, 240)})
	clock := fmt.Sprintf("%02d:%02d:%02d", elapsed/3600, elapsed/60%60, elapsed%60)
	drawText(img, 470-textWidth(clock, textStyle{px: 2}), 12, clock, textStyle{px: 2, c: rgb(240, 240, 240)})
	drawText(img, 10, 254, "VIDEO KYC", textStyle{px: 1, c: rgb(170, 175, 180)})
	return img
}

// thumbnail is the recorded video's poster, 320×240, with a play button.
func thumbnail(l look) []byte {
	frame := callFrame(l, nil, false, 0, 0)
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	fillRect(img, img.Rect, rgb(28, 30, 34))
	scaleInto(img, image.Rect(0, 30, 320, 210), frame)
	fillEllipse(img, 160, 120, 30, 30, color.RGBA{20, 20, 20, 255})
	for y := -16; y <= 16; y++ { // the play triangle
		half := 16 - abs(y)
		fillRect(img, image.Rect(150, 120+y, 150+half*2+2, 121+y), rgb(245, 245, 245))
	}
	return encodePNG(img)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
