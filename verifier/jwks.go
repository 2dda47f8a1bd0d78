package verifier

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	// maxJWKSBytes bounds the JWKS document read from the issuer (Cognito's holds two keys,
	// under 1 KiB).
	maxJWKSBytes = 1 << 20
	// minRSABits and maxRSABits bound the keys used (Cognito and Cogito sign with 2048
	// bits): shorter ones are weak, longer ones would make each verification costly.
	minRSABits = 2048
	maxRSABits = 4096
)

// keySet is one fetched JWKS: the usable signing keys by kid, and until when the issuer
// said they may be used without asking again. It is never modified once stored.
type keySet struct {
	keys    map[string]*rsa.PublicKey
	expires time.Time
}

func (ks *keySet) lookup(kid string) (*rsa.PublicKey, bool) {
	if ks == nil {
		return nil, false
	}
	k, ok := ks.keys[kid]
	return k, ok
}

// fetchCall is one JWKS fetch in flight; every Verify that needs it waits on done.
type fetchCall struct {
	done chan struct{}
}

// key returns the public key named kid. The common case (a cached, fresh key) takes no
// lock. Otherwise the JWKS is fetched, at most once per MinRefetchInterval, with concurrent
// callers sharing one request.
func (v *Verifier) key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if ks := v.keys.Load(); ks != nil {
		if k, ok := ks.keys[kid]; ok && v.now().Before(ks.expires) {
			return k, nil
		}
	}
	return v.keySlow(ctx, kid)
}

func (v *Verifier) keySlow(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	waited := false
	for {
		v.mu.Lock()
		now := v.now()
		ks := v.keys.Load()
		k, known := ks.lookup(kid)
		if known && now.Before(ks.expires) {
			v.mu.Unlock()
			return k, nil
		}
		var c *fetchCall
		if !waited {
			// Join the fetch under way, or start one if the rate limit allows: the kid is
			// unknown (a key rotation, or a forged kid) or the cached set has expired.
			c = v.inflight
			if c == nil && (v.lastAttempt.IsZero() || now.Sub(v.lastAttempt) >= v.minRefetch) {
				c = v.startFetch(ctx, now)
			}
		}
		if c == nil {
			lastErr := v.lastErr
			v.mu.Unlock()
			return v.fallback(ks, k, known, now, lastErr, kid)
		}
		v.mu.Unlock()

		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: gave up waiting for the JWKS: %w", ErrKeysUnavailable, context.Cause(ctx))
		}
		waited = true // decide with what that fetch brought; never fetch twice per Verify
	}
}

// fallback decides when no fetch can be made now: the last one just happened (rate limit)
// or failed.
func (v *Verifier) fallback(ks *keySet, k *rsa.PublicKey, known bool, now time.Time, lastErr error, kid string) (*rsa.PublicKey, error) {
	fetchFailed := lastErr != nil
	if lastErr == nil {
		lastErr = errors.New("no fetch allowed yet")
	}
	if known {
		// Expired but refetching is rate-limited or failing: keep using the cached key for a
		// while rather than rejecting every token during an issuer outage.
		if now.Before(ks.expires.Add(MaxStale)) {
			return k, nil
		}
		return nil, fmt.Errorf("%w: cached JWKS expired at %s and refetching %s failed: %w",
			ErrKeysUnavailable, ks.expires.UTC().Format(time.RFC3339), v.jwksURL, lastErr)
	}
	if !fetchFailed {
		return nil, fmt.Errorf("%w: kid %q is not in %s", ErrUnknownKey, kid, v.jwksURL)
	}
	return nil, fmt.Errorf("%w: kid %q not cached and fetching %s failed: %w", ErrKeysUnavailable, kid, v.jwksURL, lastErr)
}

// startFetch starts a JWKS fetch; v.mu must be held. The fetch runs on its own goroutine
// and context (keeping ctx's values, not its cancellation), so a caller that gives up does
// not fail the fetch for the others waiting on it.
func (v *Verifier) startFetch(ctx context.Context, now time.Time) *fetchCall {
	c := &fetchCall{done: make(chan struct{})}
	v.inflight = c
	v.lastAttempt = now
	fetchCtx := context.WithoutCancel(ctx)
	go func() {
		ks, err := v.fetch(fetchCtx, now)
		v.mu.Lock()
		if err == nil {
			v.keys.Store(ks)
		}
		v.lastErr = err
		v.inflight = nil
		v.mu.Unlock()
		close(c.done)
	}()
	return c
}

func (v *Verifier) fetch(ctx context.Context, now time.Time) (*keySet, error) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.jwksURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("GET %s: status %s", v.jwksURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: reading the body: %w", v.jwksURL, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("GET %s: JWKS larger than %d bytes", v.jwksURL, maxJWKSBytes)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", v.jwksURL, err)
	}
	// Never cache for less than the rate limit: the keys could not be refetched sooner
	// anyway, and a fresh set keeps Verify on its lock-free path.
	ttl := max(cacheLifetime(resp.Header, now), v.minRefetch)
	return &keySet{keys: keys, expires: now.Add(ttl)}, nil
}

// parseJWKS returns the keys of a JWK Set (RFC 7517 §5) that can verify RS256 signatures.
// A key that cannot is skipped, not fatal: a set may hold encryption keys or key types
// this package does not use.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not a JWK Set: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New("not a JWK Set: no \"keys\" member")
	}
	keys := make(map[string]*rsa.PublicKey, len(doc.Keys))
	for _, raw := range doc.Keys {
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(raw); err != nil {
			continue // unknown kty or invalid members
		}
		if jwk.KeyID == "" || (jwk.Use != "" && jwk.Use != "sig") ||
			(jwk.Algorithm != "" && jwk.Algorithm != string(jose.RS256)) {
			continue
		}
		// Only RSA public keys: an "oct" key would be an HMAC secret (the key-confusion
		// attack), and a published private key is an issuer bug not to build on.
		pub, ok := jwk.Key.(*rsa.PublicKey)
		if !ok || pub.N.BitLen() < minRSABits || pub.N.BitLen() > maxRSABits {
			continue
		}
		if _, dup := keys[jwk.KeyID]; !dup {
			keys[jwk.KeyID] = pub
		}
	}
	return keys, nil
}

// cacheLifetime is how long a JWKS response may be used, from its headers as RFC 9111
// §4.2.1 reads them for a private cache: Cache-Control max-age (less Age), else Expires
// less Date, else DefaultCacheTTL; no-store and no-cache mean "ask again next time".
// The result is capped at MaxCacheTTL.
func cacheLifetime(h http.Header, now time.Time) time.Duration {
	var (
		maxAge    time.Duration
		hasMaxAge bool
	)
	for _, line := range h.Values("Cache-Control") {
		for _, directive := range strings.Split(line, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
				if err == nil && n >= 0 && !hasMaxAge {
					maxAge, hasMaxAge = time.Duration(min(n, int64(MaxCacheTTL/time.Second)))*time.Second, true
				}
			}
		}
	}
	var ttl time.Duration
	switch {
	case hasMaxAge:
		ttl = maxAge
		if age, err := strconv.ParseInt(h.Get("Age"), 10, 64); err == nil && age > 0 {
			ttl -= time.Duration(min(age, int64(MaxCacheTTL/time.Second))) * time.Second
		}
	case h.Get("Expires") != "":
		expires, err := http.ParseTime(h.Get("Expires"))
		if err != nil {
			return 0 // RFC 9111 §5.3: an invalid Expires (such as "0") means already expired
		}
		date := now
		if d, err := http.ParseTime(h.Get("Date")); err == nil {
			date = d
		}
		ttl = expires.Sub(date)
	default:
		ttl = DefaultCacheTTL
	}
	return min(max(ttl, 0), MaxCacheTTL)
}
