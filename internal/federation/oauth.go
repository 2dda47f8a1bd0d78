package federation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/oauth2"
)

// oauthConnector serves the plain OAuth 2.0 providers (Facebook, Login with
// Amazon): a code exchange, then a profile call; no id token.
type oauthConnector struct {
	p       Provider
	hc      *http.Client
	cfg     oauth2.Config
	profile string // profile (userinfo) endpoint
	subject string // profile field holding the user id
}

func newOAuthConnector(p Provider, e Endpoints, hc *http.Client) (Connector, error) {
	if e.AuthorizeURL == "" || e.TokenURL == "" || e.UserInfoURL == "" {
		return nil, configError(p, "authorize, token and profile endpoints are all needed")
	}
	c := &oauthConnector{p: p, hc: hc, profile: e.UserInfoURL}
	var def []string
	switch p.Type {
	case TypeFacebook:
		def, c.subject = []string{"public_profile", "email"}, "id"
	case TypeLoginWithAmazon:
		def, c.subject = []string{"profile"}, "user_id"
	}
	c.cfg = oauth2.Config{
		ClientID:     p.Details["client_id"],
		ClientSecret: p.Details["client_secret"],
		Endpoint: oauth2.Endpoint{
			AuthURL: e.AuthorizeURL, TokenURL: e.TokenURL, AuthStyle: oauth2.AuthStyleInParams,
		},
		Scopes: scopes(p, def),
	}
	return c, nil
}

func (c *oauthConnector) config(redirectURI string) *oauth2.Config {
	cfg := c.cfg
	cfg.RedirectURL = redirectURI
	return &cfg
}

// AuthCodeURL ignores nonce: these providers have no id token to carry it.
func (c *oauthConnector) AuthCodeURL(state, nonce, codeChallenge, redirectURI string) (string, error) {
	var opts []oauth2.AuthCodeOption
	if codeChallenge != "" {
		opts = append(opts, oauth2.SetAuthURLParam("code_challenge", codeChallenge),
			oauth2.SetAuthURLParam("code_challenge_method", "S256"))
	}
	return c.config(redirectURI).AuthCodeURL(state, opts...), nil
}

func (c *oauthConnector) Exchange(ctx context.Context, code, codeVerifier, redirectURI, nonce string) (*Identity, error) {
	if code == "" {
		return nil, upstreamError(c.p.Name, "no authorization code")
	}
	var opts []oauth2.AuthCodeOption
	if codeVerifier != "" {
		opts = append(opts, oauth2.VerifierOption(codeVerifier))
	}
	tok, err := c.config(redirectURI).Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.hc), code, opts...)
	if err != nil {
		return nil, exchangeError(c.p.Name, err)
	}
	if tok.AccessToken == "" {
		return nil, upstreamError(c.p.Name, "token response has no access_token")
	}
	var query url.Values
	if c.p.Type == TypeFacebook {
		query = url.Values{}
		if !strings.Contains(c.profile, "fields=") {
			query.Set("fields", strings.Join(facebookFields(c.p), ","))
		}
		// appsecret_proof is required by apps that set "Require App
		// Secret" and harmless otherwise.
		m := hmac.New(sha256.New, []byte(c.cfg.ClientSecret))
		m.Write([]byte(tok.AccessToken))
		query.Set("appsecret_proof", hex.EncodeToString(m.Sum(nil)))
	}
	claims, err := fetchJSON(ctx, c.hc, c.p.Name, http.MethodGet, c.profile, tok.AccessToken, query)
	if err != nil {
		return nil, err
	}
	sub := claimString(claims[c.subject])
	if sub == "" {
		return nil, upstreamError(c.p.Name, "profile has no %s", c.subject)
	}
	return &Identity{ProviderName: c.p.Name, ProviderType: c.p.Type, Subject: sub, Claims: claims}, nil
}

// facebookFields lists the Graph API fields to ask /me for: the id, and the
// fields the attribute mapping names (asking for a field that does not
// exist fails the whole call, so nothing else).
func facebookFields(p Provider) []string {
	set := map[string]bool{"id": true}
	for _, claim := range p.AttributeMapping {
		if claim != "" {
			set[claim] = true
		}
	}
	if len(set) == 1 {
		set["name"], set["email"] = true, true
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// maxProfile bounds a userinfo/profile response.
const maxProfile = 1 << 20

// fetchJSON calls a userinfo/profile endpoint with the access token as a
// bearer token and decodes its JSON object (numbers kept as json.Number).
func fetchJSON(ctx context.Context, hc *http.Client, name, method, endpoint, accessToken string, query url.Values) (map[string]any, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, upstreamError(name, "bad userinfo URL %q: %v", endpoint, err)
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, upstreamError(name, "userinfo request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: provider %q: userinfo: %w", ErrUpstream, name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxProfile))
	if err != nil {
		return nil, fmt.Errorf("%w: provider %q: userinfo: %w", ErrUpstream, name, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, upstreamError(name, "userinfo: %s: %s", resp.Status, snippet(b))
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct == "application/jwt" {
		return nil, upstreamError(name, "userinfo: signed (application/jwt) responses are not supported")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil || out == nil {
		return nil, upstreamError(name, "userinfo: not a JSON object: %s", snippet(b))
	}
	return out, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
