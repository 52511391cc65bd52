package mediafetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kycdesk/kycdesk/store"
)

// maxRedirects is how many redirects a download follows; each new address is checked again.
const maxRedirects = 3

// ErrTimeout is the cause when the server stopped answering.
var ErrTimeout = errors.New("timed out")

// GuardedDial is a DialContext that refuses, at dial time, addresses off the public internet
// (loopback, private, link-local and metadata, the other special ranges), unless allowPrivate is
// set or the host is allowed by allowHosts ("host" for every port, "host:port" for one). Checking
// the address actually dialled means a name that resolves, or re-resolves, to an internal address
// is refused like the literal. The media fetcher and the outbound webhooks both dial through it.
func GuardedDial(timeout time.Duration, allowPrivate bool, allowHosts []string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	allowed := allowList(allowHosts)
	checked := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: refusePrivate}
	unchecked := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if allowPrivate || allowed.allows(host, port) {
			return unchecked.DialContext(ctx, network, addr)
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// newHTTPClient returns a client that only reaches the public internet (unless configured
// otherwise), uses no proxy, and follows a few redirects to http or https links.
func newHTTPClient(cfg Config) *http.Client {
	dial := GuardedDial(cfg.Timeout, cfg.AllowPrivate, cfg.AllowHosts)
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil, // a proxy would dial for us, past the address check
			DialContext:            dial,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    cfg.Timeout,
			MaxIdleConns:           2 * cfg.Workers,
			IdleConnTimeout:        90 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return permanent(fmt.Errorf("more than %d redirects", maxRedirects))
			}
			return checkScheme(req.URL)
		},
	}
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return permanent(fmt.Errorf("a %q link cannot be fetched: only http and https are", u.Scheme))
	}
	return nil
}

// downloaded is an archived file.
type downloaded struct {
	sha         string
	size        int64
	contentType string
}

// download streams the media's URL into the archive, checking its size and sniffing its type.
func (f *Fetcher) download(ctx context.Context, m store.Media) (downloaded, error) {
	max, what := f.cfg.MaxImage, "an image"
	if m.IsVideo() {
		max, what = f.cfg.MaxVideo, "a video"
	}

	// The stall timer cancels the request when the server sends nothing for Timeout; every
	// read that brings data restarts it. The overall deadline bounds a trickling server.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(f.cfg.Timeout, func() {
		cancel(fmt.Errorf("%w: the server sent nothing for %s", ErrTimeout, f.cfg.Timeout))
	})
	defer stall.Stop()
	total := 10 * f.cfg.Timeout
	ctx, cancelTotal := context.WithTimeoutCause(ctx, total,
		fmt.Errorf("%w: the download took longer than %s", ErrTimeout, total))
	defer cancelTotal()

	// The link as sent, not re-encoded: a pre-signed link's signature covers its exact bytes.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.URL, nil)
	if err != nil {
		return downloaded{}, permanent(errors.New("the link is not a valid URL"))
	}
	if err := checkScheme(req.URL); err != nil {
		return downloaded{}, err
	}
	req.Header.Set("User-Agent", "KYC-Desk-media-archiver/1")
	req.Header.Set("Accept", "image/*, video/*")
	resp, err := f.client.Do(req)
	if err != nil {
		return downloaded{}, explain(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return downloaded{}, fmt.Errorf("the server answered %s", resp.Status)
	}
	if resp.ContentLength > max {
		return downloaded{}, permanent(fmt.Errorf("%w: the server announced %d bytes, over the %d-byte limit for %s",
			store.ErrTooLarge, resp.ContentLength, max, what))
	}
	body := bufio.NewReaderSize(&progressReader{r: resp.Body, stall: stall, timeout: f.cfg.Timeout}, 4096)
	// Trust the bytes, not the header: a vendor's error page served as image/jpeg must not be
	// archived and later shown as if it were evidence.
	head, err := body.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return downloaded{}, explain(ctx, err)
	}
	if len(head) == 0 {
		return downloaded{}, errors.New("the file is empty")
	}
	ct := http.DetectContentType(head)
	if !strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "video/") {
		return downloaded{}, permanent(fmt.Errorf("content is %s, not an image or video", ct))
	}
	sha, size, err := f.blobs.Put(body, max)
	if errors.Is(err, store.ErrTooLarge) {
		return downloaded{}, permanent(fmt.Errorf("%w: more than %d bytes, the limit for %s", store.ErrTooLarge, max, what))
	}
	if err != nil {
		return downloaded{}, explain(ctx, err)
	}
	return downloaded{sha: sha, size: size, contentType: ct}, nil
}

// explain replaces "context canceled" by the reason the download was cut, and drops the URL
// net/http puts in its errors: it is already on the row, and it carries the link's signature.
func explain(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// progressReader restarts the stall timer whenever data arrives.
type progressReader struct {
	r       io.Reader
	stall   *time.Timer
	timeout time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.stall.Reset(p.timeout)
	}
	return n, err
}

// permanentError marks a failure that trying again cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// isPermanent reports whether err is not worth retrying: a bad link, a file over the size
// limit, something that is not an image or video, or a destination the guard refuses.
func isPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p) || errors.Is(err, ErrBlocked)
}

// hostAllowList is AllowHosts read: exact host:port pairs, and hosts allowed on any port.
type hostAllowList struct{ pairs, anyPort map[string]bool }

// allowList reads entries such as "vendor.internal:8443", "[fd00::1]:443" or a bare "vendor.internal".
func allowList(entries []string) hostAllowList {
	l := hostAllowList{pairs: map[string]bool{}, anyPort: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		if host, port, err := net.SplitHostPort(e); err == nil && port != "" {
			l.pairs[net.JoinHostPort(host, port)] = true
			continue
		}
		l.anyPort[strings.Trim(e, "[]")] = true
	}
	return l
}

// allows reports whether a dial to host and port skips the address checks.
func (l hostAllowList) allows(host, port string) bool {
	host = strings.ToLower(host)
	return l.pairs[net.JoinHostPort(host, port)] || l.anyPort[host]
}
