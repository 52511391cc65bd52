package static

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestVendoredFilesImmutable: the vendored library, models and kernels live under versioned
// directories and are cached for a year even without ?v= (face-api loads its models by path);
// our own files without the current ?v= must revalidate.
func TestVendoredFilesImmutable(t *testing.T) {
	h := http.StripPrefix(Prefix, Handler())
	cases := []struct {
		path, cache, contentType string
	}{
		{"vendor/face-api-1.7.15/face-api.esm.js", "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
		{"vendor/face-api-1.7.15/model/face_recognition_model-weights_manifest.json", "public, max-age=31536000, immutable", "application/json"},
		{"vendor/face-api-1.7.15/model/tiny_face_detector_model.bin", "public, max-age=31536000, immutable", "application/octet-stream"},
		{"vendor/tfjs-backend-wasm-4.22.0/tfjs-backend-wasm-simd.wasm", "public, max-age=31536000, immutable", "application/wasm"},
		{"vendor/face-api-1.7.15/LICENSE", "public, max-age=31536000, immutable", ""},
		{"js/face.js", "no-cache", "text/javascript; charset=utf-8"},
		{"js/face.js?v=" + versions["js/face.js"], "public, max-age=31536000, immutable", "text/javascript; charset=utf-8"},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, Prefix+c.path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", c.path, rec.Code)
			continue
		}
		if got := rec.Header().Get("Cache-Control"); got != c.cache {
			t.Errorf("GET %s: Cache-Control = %q, want %q", c.path, got, c.cache)
		}
		if got := rec.Header().Get("Content-Type"); c.contentType != "" && got != c.contentType {
			t.Errorf("GET %s: Content-Type = %q, want %q", c.path, got, c.contentType)
		}
	}
	// Only the three models the page uses are embedded.
	for _, name := range []string{"vendor/face-api-1.7.15/model/ssd_mobilenetv1_model.bin", "vendor/face-api-1.7.15/model/age_gender_model.bin"} {
		if _, ok := versions[name]; ok {
			t.Errorf("%s is embedded; the page does not use it", name)
		}
	}
}
