// Package static embeds the stylesheet, script and images every page uses, so the binary serves them
// without reaching the internet.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// FS holds the embedded assets, addressed as "css/app.css", "js/app.js", "img/mark.svg".
//
//go:embed css js img vendor
var FS embed.FS

// Prefix is the URL path the assets are served under.
const Prefix = "/static/"

// versions maps each embedded file name to a short hash of its content. It is computed once and never
// written again: the hash in a URL changes exactly when the file does, which lets browsers cache forever.
var versions = hashFiles(FS)

func hashFiles(fsys fs.FS) map[string]string {
	m := make(map[string]string)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[name] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	if err != nil {
		// The files are compiled in; failing to read them is a build defect, not a runtime condition.
		panic("static: hash embedded files: " + err.Error())
	}
	return m
}

// Path returns the versioned URL of an embedded file, e.g. Path("css/app.css") is
// "/static/css/app.css?v=3f2a9c01b7de". A name that is not embedded gets no version.
func Path(name string) string {
	name = strings.TrimPrefix(name, "/")
	if v, ok := versions[name]; ok {
		return Prefix + name + "?v=" + v
	}
	return Prefix + name
}

// Handler serves the embedded files, mounted at Prefix with or without http.StripPrefix. A request
// carrying the current version is cached for a year as immutable; any other request must revalidate,
// so a stale link never pins old content.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, Prefix), "/")
		v, ok := versions[name]
		if !ok || name == "" || strings.HasSuffix(name, "/") {
			http.NotFound(w, r)
			return
		}
		f, err := FS.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("ETag", `"`+v+`"`)
		// Vendored files sit in directories named with their version (vendor/face-api-1.7.15/...), so
		// one URL always means the same bytes: the models, loaded by path from the library, are cached
		// once per browser and never fetched again.
		if r.URL.Query().Get("v") == v || strings.HasPrefix(name, "vendor/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		// Embedded files implement io.ReadSeeker; ServeContent handles Range, HEAD and If-None-Match.
		http.ServeContent(w, r, name, time.Time{}, f.(io.ReadSeeker))
	})
}
