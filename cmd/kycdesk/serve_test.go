package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVersionFromGitDescribe: the binary built like the Makefile builds it prints git describe.
func TestVersionFromGitDescribe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	out, err := runCLI(t, bin, "", "version")
	if err != nil {
		t.Fatal(err)
	}
	if want := "kycdesk " + gitDescribe(t) + "\n"; out != want {
		t.Errorf("kycdesk version = %q, want %q", out, want)
	}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn posts the sign-in form and reports whether it was accepted.
func signIn(t *testing.T, client *http.Client, base, username, password string) bool {
	t.Helper()
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the sign-in page")
	}
	resp, err = client.PostForm(base+"/login", url.Values{"username": {username}, "password": {password}, "_csrf": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == 200 && resp.Request.URL.Path != "/login"
}

func newJarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// TestServeSecretFilesAdminPasswordFileAndModes runs the binary as a service would (stdout and
// stderr not terminals): secrets come from files (one through its KYCDESK_* twin), the first
// admin's password goes to a 0600 file that the log names and never into the log, every log
// line is JSON, the data dir is 0700 and the database files 0600; on a restart with the modes
// widened, the start-up log warns about each.
func TestServeSecretFilesAdminPasswordFileAndModes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	secrets := t.TempDir()
	data := filepath.Join(t.TempDir(), "data")
	const markidSecret, vcipToken = "markid-file-secret-0123456789", "vcip-file-token-0123456789"
	writeFile(t, filepath.Join(secrets, "markid"), "old-secret-rotating-out\n"+markidSecret+"\n")
	writeFile(t, filepath.Join(secrets, "vcip"), vcipToken+"\n")
	writeFile(t, filepath.Join(secrets, "session"), strings.Repeat("k", 40)+"\n")

	// Both a secret and its file: refused.
	if out, err := runCLI(t, bin, "", "serve", "--data", data, "--vcip-token", "x", "--vcip-token-file", filepath.Join(secrets, "vcip")); err == nil ||
		!strings.Contains(out, "give --vcip-token or --vcip-token-file, not both") {
		t.Errorf("serve with --vcip-token and --vcip-token-file: err %v, output %q; want a refusal", err, out)
	}

	srv := startServe(t, bin, []string{"KYCDESK_VCIP_TOKEN_FILE=" + filepath.Join(secrets, "vcip")},
		"--data", data, "--markid-secret-file", filepath.Join(secrets, "markid"), "--session-key-file", filepath.Join(secrets, "session"))
	base := "http://" + srv.addr

	post := func(path string, body []byte, header, value string) int {
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
		req.Header.Set(header, value)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("/webhooks/vcip", vcipBody("file-1"), "Authorization", "Bearer "+vcipToken); got != 200 {
		t.Errorf("video-KYC callback with the token from the file = %d, want 200", got)
	}
	if got := post("/webhooks/vcip", vcipBody("file-2"), "Authorization", "Bearer "+vcipToken+"x"); got != 401 {
		t.Errorf("video-KYC callback with a wrong token = %d, want 401", got)
	}
	body := []byte(`{"final":true,"status":{"overall":"APPROVED"},"scanRef":"file-3","clientId":"c"}`)
	mac := hmac.New(sha256.New, []byte(markidSecret))
	mac.Write(body)
	if got := post("/webhooks/markid", body, "Idenfy-Signature", hex.EncodeToString(mac.Sum(nil))); got != 200 {
		t.Errorf("Mark ID callback signed with the second secret of the file = %d, want 200", got)
	}

	pwFile := filepath.Join(data, adminPasswordFile)
	b, err := os.ReadFile(pwFile)
	if err != nil {
		t.Fatalf("first admin password file: %v\nlog:\n%s", err, srv.log())
	}
	m := regexp.MustCompile(`password: (\S+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no password in %s: %q", pwFile, b)
	}
	password := string(m[1])
	if got := mode(t, pwFile); got != 0o600 {
		t.Errorf("%s mode = %04o, want 0600", pwFile, got)
	}
	if !signIn(t, newJarClient(), base, "admin", password) {
		t.Error("the password in the file does not sign admin in")
	}
	srv.stop()
	log := srv.log()
	for what, s := range map[string]string{"admin password": password, "Mark ID secret": markidSecret, "video-KYC token": vcipToken, "session key": strings.Repeat("k", 40)} {
		if strings.Contains(log, s) {
			t.Errorf("the log contains the %s", what)
		}
	}
	if !strings.Contains(log, `"password_file":"`+pwFile+`"`) {
		t.Errorf("the log does not name the password file %s:\n%s", pwFile, log)
	}
	for _, l := range strings.Split(log, "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Errorf("log line is not JSON (stderr is not a terminal): %q", l)
		}
	}
	if got := mode(t, data); got != 0o700 {
		t.Errorf("data dir mode = %04o, want 0700", got)
	}
	for _, f := range []string{"kycdesk.db", "kycdesk.db-wal", "kycdesk.db-shm"} {
		p := filepath.Join(data, f)
		if _, err := os.Stat(p); err != nil {
			continue // -wal and -shm may be gone after a clean close
		}
		if got := mode(t, p); got != 0o600 {
			t.Errorf("%s mode = %04o, want 0600", f, got)
		}
	}

	// Widened by hand: the next start warns about each, and changes nothing.
	os.Chmod(data, 0o755)
	os.Chmod(filepath.Join(data, "kycdesk.db"), 0o644)
	srv = startServe(t, bin, []string{"KYCDESK_VCIP_TOKEN_FILE=" + filepath.Join(secrets, "vcip")}, "--data", data)
	srv.stop()
	for _, want := range []string{data + " is mode 0755; want 0700", filepath.Join(data, "kycdesk.db") + " is mode 0644; want 0600"} {
		if !strings.Contains(srv.log(), want) {
			t.Errorf("start-up log lacks the warning %q:\n%s", want, srv.log())
		}
	}
	if got := mode(t, data); got != 0o755 {
		t.Errorf("data dir mode after the warning = %04o, want it left as the operator set it", got)
	}
}

// selfSigned writes a fresh self-signed certificate for 127.0.0.1 named cn, and its key.
func selfSigned(t *testing.T, dir, cn string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, cn+".crt"), filepath.Join(dir, cn+".key")
	writeFile(t, certFile, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	writeFile(t, keyFile, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})))
	return certFile, keyFile, cert
}

// install copies a pair over the files the server was started with, as a renewal job would.
func install(t *testing.T, fromCert, fromKey, toCert, toKey string) {
	t.Helper()
	for _, p := range [][2]string{{fromCert, toCert}, {fromKey, toKey}} {
		b, err := os.ReadFile(p[0])
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, p[1]+".new", string(b))
		if err := os.Rename(p[1]+".new", p[1]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTLSServedAndReloaded: --tls-cert/--tls-key serve HTTPS, TLS 1.2 or later, with Secure
// cookies and HSTS; SIGHUP loads a renewed pair without dropping an open connection; a bad pair
// at reload is logged and the old one kept.
func TestTLSServedAndReloaded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	c1, k1, cert1 := selfSigned(t, dir, "desk-one")
	c2, k2, cert2 := selfSigned(t, dir, "desk-two")
	certFile, keyFile := filepath.Join(dir, "live.crt"), filepath.Join(dir, "live.key")
	install(t, c1, k1, certFile, keyFile)

	srv := startServe(t, bin, nil, "--data", t.TempDir(), "--tls-cert", certFile, "--tls-key", keyFile, "--vcip-token", "tls-token")
	if !strings.Contains(srv.waitFor("KYC Desk is listening", time.Second), "https://") {
		t.Error("the listening line does not say https")
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert1)
	roots.AddCert(cert2)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxIdleConnsPerHost: 1}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	base := "https://" + srv.addr

	// get fetches path and reports which certificate served it and whether the connection was reused.
	get := func(path string) (*http.Response, string, bool) {
		t.Helper()
		var reused bool
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req = req.WithContext(httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
		}))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, resp.TLS.PeerCertificates[0].Subject.CommonName, reused
	}
	resp, cn, _ := get("/login")
	if cn != "desk-one" {
		t.Fatalf("served certificate %q, want desk-one", cn)
	}
	if resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("negotiated TLS version %x, want 1.2 or later", resp.TLS.Version)
	}
	if h := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(h, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q, want HSTS with TLS on", h)
	}
	for _, c := range resp.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure over TLS", c.Name)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Error("the sign-in page set no cookie to check")
	}
	old, err := tls.Dial("tcp", srv.addr, &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11})
	if err == nil {
		old.Close()
		t.Error("a TLS 1.1 client was accepted, want TLS 1.2 or later only")
	}

	// Renewal: new files, SIGHUP. The open keep-alive connection carries on; new ones get the new pair.
	install(t, c2, k2, certFile, keyFile)
	from := srv.mark()
	srv.cmd.Process.Signal(syscall.SIGHUP)
	srv.waitForAfter(from, "TLS certificate reloaded", 30*time.Second)
	_, cn, reused := get("/healthz")
	if !reused || cn != "desk-one" {
		t.Errorf("after the reload the open connection: reused=%v cert %q; want the same connection, still desk-one", reused, cn)
	}
	tr.CloseIdleConnections()
	_, cn, reused = get("/healthz")
	if reused || cn != "desk-two" {
		t.Errorf("a new connection after the reload: reused=%v cert %q; want desk-two", reused, cn)
	}

	// A broken pair (key of the other certificate): logged, and desk-two stays.
	install(t, c1, k2, certFile, keyFile)
	from = srv.mark()
	srv.cmd.Process.Signal(syscall.SIGHUP)
	srv.waitForAfter(from, "TLS reload failed; still serving the previous certificate", 30*time.Second)
	tr.CloseIdleConnections()
	if _, cn, _ = get("/healthz"); cn != "desk-two" {
		t.Errorf("after a bad reload the server presents %q, want desk-two kept", cn)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/vcip", bytes.NewReader(vcipBody("over-tls")))
	req.Header.Set("Authorization", "Bearer tls-token")
	r, err := client.Do(req)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("callback over TLS: %v %v", r, err)
	}
	r.Body.Close()
	srv.stop()
}
