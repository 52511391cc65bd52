package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// FaceMatch is the advisory face similarity a reviewer's browser computed for a decision. It is
// recorded with the decision and its audit entry; a decision never depends on it.
type FaceMatch struct {
	Score   int    `json:"score"`              // 0-100
	Model   string `json:"model"`              // library, version and models that computed it
	FrameMS *int64 `json:"frame_ms,omitempty"` // video-KYC: where in the recording the best frame was
}

// maxFaceModel caps the stored model name: it comes from the browser.
const maxFaceModel = 200

// ParseFaceMatch reads the decision form's face fields. Anything missing or out of range gives nil:
// a bad or absent score is simply not recorded.
func ParseFaceMatch(score, model, frameMS string) *FaceMatch {
	model = strings.TrimSpace(model)
	n, err := strconv.Atoi(strings.TrimSpace(score))
	if err != nil || n < 0 || n > 100 {
		return nil
	}
	f := FaceMatch{Score: n}
	if model == "" || len(model) > maxFaceModel {
		return nil
	}
	f.Model = model
	if ms, err := strconv.ParseInt(strings.TrimSpace(frameMS), 10, 64); err == nil && ms >= 0 {
		f.FrameMS = &ms
	}
	return &f
}

// faceMatchColumn is the stored form of f: JSON, or NULL.
func faceMatchColumn(f *FaceMatch) (any, error) {
	if f == nil {
		return nil, nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("store: face match: %w", err)
	}
	return string(b), nil
}
