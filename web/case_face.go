package web

import (
	"net/http"
	"strings"
)

// allowWasm adds 'wasm-unsafe-eval' to the page's script-src, and nothing else. The face comparison
// runs tfjs's WebAssembly kernels (vendored, served by us): compiling WebAssembly needs this
// keyword, while JavaScript eval stays forbidden. Only the case page that compares faces gets it;
// the pure-JavaScript CPU kernels would need no keyword but take several seconds per face.
func allowWasm(h http.Header) {
	csp := h.Get("Content-Security-Policy")
	if csp == "" || strings.Contains(csp, "'wasm-unsafe-eval'") {
		return
	}
	h.Set("Content-Security-Policy", strings.Replace(csp, "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", 1))
}
