// Package testidp runs a real OpenID Provider for tests: the OpenID-certified zitadel/oidc op
// package with the in-memory example provider of its module (login form, users, clients, keys),
// on 127.0.0.1. The example storage is wrapped only where tests need to steer the provider:
// users with groups, our client's registration, the signing key (rotation, a key outside the
// published set), the ID token's audience and lifetime. Tokens are always made and signed by
// the provider itself. Only tests import this package.
package testidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Credentials of the client the tests register.
const (
	ClientID     = "kycdesk"
	ClientSecret = "kycdesk-test-secret"
)

// Provider is a running OpenID Provider.
type Provider struct {
	// Issuer is the issuer URL, "http://127.0.0.1:port/".
	Issuer string
	srv    *httptest.Server
	st     *steeredStorage
}

// Start runs a provider on 127.0.0.1 until the test ends. addr may name the address to listen
// on ("" picks a free port).
func Start(t testing.TB, addr string) *Provider {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("testidp: listen: %v", err)
	}
	issuer := "http://" + ln.Addr().String() + "/"
	users := &userStore{users: map[string]*person{}}
	st := &steeredStorage{
		Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{}),
		users:   users,
		clients: map[string]*storage.Client{},
	}
	st.signing = newKey(t)
	st.published = []*rsaKey{st.signing}
	// The example logs every request through slog's default logger, which it replaces with the
	// one given: a silent one keeps test output to what the tests say.
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewUnstartedServer(exampleop.SetupServer(issuer, st, quiet, false))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &Provider{Issuer: issuer, srv: srv, st: st}
}

// Close stops the provider early (e.g. to test an issuer that went away).
func (p *Provider) Close() { p.srv.Close() }

// RegisterClient registers our client with its redirect URL and the page logout returns to.
func (p *Provider) RegisterClient(redirectURL, postLogoutURL string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.clients[ClientID] = storage.WebClient(ClientID, ClientSecret, redirectURL)
	p.st.postLogout = postLogoutURL
}

// AddUser adds (or replaces) a person who signs in at the provider with username and password.
// Their subject is "sub-" + username.
func (p *Provider) AddUser(username, password, name string, groups ...string) {
	p.st.users.mu.Lock()
	defer p.st.users.mu.Unlock()
	first, last, _ := strings.Cut(name, " ")
	p.st.users.users["sub-"+username] = &person{
		User: storage.User{ID: "sub-" + username, Username: username, Password: password, FirstName: first, LastName: last,
			Email: username + "@bank.example", EmailVerified: true, PreferredLanguage: language.English},
		groups: groups,
	}
}

// SetGroups changes a person's groups; the next ID token carries the new ones.
func (p *Provider) SetGroups(username string, groups ...string) {
	p.st.users.mu.Lock()
	defer p.st.users.mu.Unlock()
	p.st.users.users["sub-"+username].groups = groups
}

// RotateKey makes a new signing key, publishes it beside the old one, and signs with it from now on.
func (p *Provider) RotateKey(t testing.TB) {
	k := newKey(t)
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.signing = k
	p.st.published = append(p.st.published, k)
}

// SignWithUnpublishedKey signs from now on with a key that the provider's JWKS never lists.
func (p *Provider) SignWithUnpublishedKey(t testing.TB) {
	k := newKey(t)
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.signing = k
}

// SetAudience makes the next ID tokens name aud (and not our client) as their audience.
func (p *Provider) SetAudience(aud ...string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.audience = aud
}

// SetNonce makes the next ID tokens carry nonce instead of the one the client sent.
func (p *Provider) SetNonce(nonce string) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.nonce = nonce
}

// SetTokenLifetime sets how long the next ID tokens are valid; a negative lifetime issues tokens
// that have already expired.
func (p *Provider) SetTokenLifetime(d time.Duration) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.lifetime = d
}

// person is a user of the provider with their groups.
type person struct {
	storage.User
	groups []string
}

// userStore is the example's UserStore interface over people whose groups tests change.
type userStore struct {
	mu    sync.Mutex
	users map[string]*person
}

func (u *userStore) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	if p := u.users[id]; p != nil {
		c := p.User
		return &c
	}
	return nil
}

func (u *userStore) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, p := range u.users {
		if p.Username == name {
			c := p.User
			return &c
		}
	}
	return nil
}

func (u *userStore) ExampleClientID() string { return storage.ServiceUserID }

func (u *userStore) groupsOf(id string) []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if p := u.users[id]; p != nil {
		return slices.Clone(p.groups)
	}
	return nil
}

// steeredStorage is the example storage with the handles above.
type steeredStorage struct {
	*storage.Storage
	users *userStore

	mu         sync.Mutex
	clients    map[string]*storage.Client
	postLogout string
	signing    *rsaKey
	published  []*rsaKey
	audience   []string
	nonce      string
	lifetime   time.Duration
}

// GetClientByClientID returns our client, which may ask for the groups scope.
func (s *steeredStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return nil, fmt.Errorf("client not found")
	}
	return &client{Client: storage.RedirectGlobsClient(c), s: s}, nil
}

// AuthorizeClientIDSecret checks our client's secret.
func (s *steeredStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[id]; !ok || id != ClientID || secret != ClientSecret {
		return fmt.Errorf("invalid client")
	}
	return nil
}

// SetUserinfoFromRequest adds the groups claim to the ID token when the groups scope was asked for.
func (s *steeredStorage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	if slices.Contains(scopes, "groups") {
		info.AppendClaims("groups", s.users.groupsOf(req.GetSubject()))
	}
	return nil
}

// AuthRequestByCode hands out the request with the audience the test chose.
func (s *steeredStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.Storage.AuthRequestByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.audience != nil || s.nonce != "" {
		return &steeredRequest{AuthRequest: r, aud: slices.Clone(s.audience), nonce: s.nonce}, nil
	}
	return r, nil
}

// SigningKey is the key the provider signs with now.
func (s *steeredStorage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signing, nil
}

// SignatureAlgorithms are those of the keys.
func (s *steeredStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet is the published JWKS.
func (s *steeredStorage) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]op.Key, 0, len(s.published))
	for _, k := range s.published {
		out = append(out, publicKey{k})
	}
	return out, nil
}

// client is our registered client with the groups scope allowed and the test's token lifetime.
type client struct {
	op.Client
	s *steeredStorage
}

// GetID is our client's ID, or the steered audience's: the provider then mints the ID token for
// that other client, as if it had mixed up two applications.
func (c *client) GetID() string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.audience != nil {
		return c.s.audience[0]
	}
	return c.Client.GetID()
}

func (c *client) IsScopeAllowed(scope string) bool {
	return scope == "groups" || c.Client.IsScopeAllowed(scope)
}

func (c *client) IDTokenLifetime() time.Duration {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.lifetime != 0 {
		return c.s.lifetime
	}
	return c.Client.IDTokenLifetime()
}

func (c *client) PostLogoutRedirectURIs() []string {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	return []string{c.s.postLogout}
}

// steeredRequest is an authorization request whose ID token gets another audience or nonce.
type steeredRequest struct {
	op.AuthRequest
	aud   []string
	nonce string
}

func (r *steeredRequest) GetAudience() []string {
	if r.aud != nil {
		return r.aud
	}
	return r.AuthRequest.GetAudience()
}

// GetClientID names the audience's client, so the ID token is minted for it alone.
func (r *steeredRequest) GetClientID() string {
	if r.aud != nil {
		return r.aud[0]
	}
	return r.AuthRequest.GetClientID()
}

func (r *steeredRequest) GetNonce() string {
	if r.nonce != "" {
		return r.nonce
	}
	return r.AuthRequest.GetNonce()
}

// rsaKey is a signing key of the provider.
type rsaKey struct {
	id  string
	key *rsa.PrivateKey
}

func newKey(t testing.TB) *rsaKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("testidp: key: %v", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &rsaKey{id: fmt.Sprintf("k-%x", b), key: k}
}

func (k *rsaKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *rsaKey) Key() any                                    { return k.key }
func (k *rsaKey) ID() string                                  { return k.id }

type publicKey struct{ k *rsaKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }
