package views

import (
	"strconv"

	"github.com/kycdesk/kycdesk/static"
	"github.com/kycdesk/kycdesk/store"
)

// FaceModel names the library, its version and the models behind a face similarity; it is sent
// with a decision and stored with it, so a score can be traced to what computed it.
const FaceModel = "face-api 1.7.15 (tiny_face_detector, face_landmark_68, face_recognition)"

// FaceThreshold is the similarity (0-100) from which the page says "likely the same person".
const FaceThreshold = 50

// FaceCompare is the in-browser comparison of the document portrait with the selfie. The page
// carries only addresses: the score is computed by static/js/face.js on the reviewer's computer.
type FaceCompare struct {
	DocURL    string // our archived copy of FRONT
	SelfieURL string // our archived copy of FACE
	Vendor    string // the vendor's face verdict (manual over automatic), e.g. FACE_MATCH
	Missing   string // why no comparison can run, as a sentence; "" when it can
}

// Library, Models and Wasm are the vendored files face.js loads, all served by KYC Desk.
func (FaceCompare) Library() string { return static.Path("vendor/face-api-1.7.15/face-api.esm.js") }

// Models is the directory of the three model files.
func (FaceCompare) Models() string { return static.Prefix + "vendor/face-api-1.7.15/model" }

// Wasm is the directory of tfjs's WebAssembly kernels.
func (FaceCompare) Wasm() string { return static.Prefix + "vendor/tfjs-backend-wasm-4.22.0/" }

// buildFace returns the comparison for a Mark ID case, or nil for a video-KYC one.
func buildFace(v CaseView, rec store.CaseRecord) *FaceCompare {
	if v.IsVCIP {
		return nil
	}
	f := &FaceCompare{Vendor: rec.ManualFace}
	if f.Vendor == "" {
		f.Vendor = rec.AutoFace
	}
	for _, m := range v.Media.Identity {
		switch m.Kind {
		case store.MediaFront:
			f.DocURL = m.URL
		case store.MediaFace:
			f.SelfieURL = m.URL
		}
	}
	switch {
	case f.DocURL == "" && f.SelfieURL == "":
		f.Missing = "Neither the document photo nor the selfie has been archived yet, so there is nothing to compare."
	case f.DocURL == "":
		f.Missing = "The document photo has not been archived yet, so there is nothing to compare the selfie with."
	case f.SelfieURL == "":
		f.Missing = "The selfie has not been archived yet, so there is nothing to compare the document photo with."
	}
	return f
}

// FaceThresholdText is the threshold as the page states it.
func FaceThresholdText() string { return strconv.Itoa(FaceThreshold) + " / 100" }

// VideoFace is the in-browser comparison of the document photo with the face in the video-KYC
// recording (static/js/face-video.js); like FaceCompare the page carries only addresses.
type VideoFace struct {
	DocURL   string // our archived copy of the first document image
	VideoURL string // our archived copy of the recording
	Missing  string // why no comparison can run, as a sentence; "" when it can
}

// buildVideoFace returns the comparison for a video-KYC case, or nil for a Mark ID one.
func buildVideoFace(v CaseView) *VideoFace {
	if !v.IsVCIP {
		return nil
	}
	f := &VideoFace{}
	if r := v.Media.Recorded; r != nil {
		f.VideoURL = r.URL
	}
	for _, d := range v.Media.Documents {
		if d.URL != "" {
			f.DocURL = d.URL
			break
		}
	}
	switch {
	case v.Media.Recorded == nil:
		f.Missing = "The callback named no recording, so there is no face in a video to compare."
	case f.VideoURL == "":
		f.Missing = "The recording has not been archived yet, so its frames cannot be compared with the document photo."
	case f.DocURL == "":
		f.Missing = "No document photo has been archived, so there is nothing to compare the face in the video with."
	}
	return f
}
