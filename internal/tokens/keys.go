package tokens

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cogito-idp/cogito/internal/store"
)

// KeyStore is what the keyring needs of the store.
type KeyStore interface {
	CreateSigningKey(ctx context.Context, k *store.SigningKey) error
	ListSigningKeys(ctx context.Context, poolID string) ([]*store.SigningKey, error)
}

// Defaults of the rotation schedule.
const (
	// DefaultRotateAfter is how long a key signs before a new one takes over.
	DefaultRotateAfter = 30 * 24 * time.Hour
	// MaxTokenLifetime is the longest an ID or access token lives (a client
	// can set at most one day), so a retired key stays published this long.
	MaxTokenLifetime = 24 * time.Hour
	// reloadAfter bounds how stale a node's view of the keys may be, so that
	// a key another node created is published everywhere within a minute.
	reloadAfter = time.Minute
	// prePublish is how long before a scheduled rotation the next key is
	// published: longer than the JWKS max-age, so verifiers that cache the
	// key set already know the new kid when tokens start carrying it.
	prePublish = 30 * time.Minute
	rsaBits    = 2048
)

// Keyring holds the pools' signing keys: it creates a pool's first key on
// first use, rotates on schedule, and caches keys (safe to lose: the store
// is the truth).
type Keyring struct {
	Store       KeyStore
	Sealer      *Sealer
	RotateAfter time.Duration
	Now         func() time.Time

	mu    sync.Mutex
	pools map[string]*poolKeys
}

type poolKeys struct {
	loaded time.Time
	active *activeKey
	newest time.Time // Created of the newest key, future ones included
	public map[string]*rsa.PublicKey
	jwks   []byte // {"keys":[...]} of every published key
}

type activeKey struct {
	kid     string
	signer  jose.Signer
	retires time.Time
}

func (k *Keyring) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *Keyring) rotateAfter() time.Duration {
	if k.RotateAfter > 0 {
		return k.RotateAfter
	}
	return DefaultRotateAfter
}

// keys returns the pool's key set, loading or rotating as needed.
func (k *Keyring) keys(ctx context.Context, poolID string, needActive bool) (*poolKeys, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pools == nil {
		k.pools = map[string]*poolKeys{}
	}
	now := k.now()
	pk := k.pools[poolID]
	fresh := false
	if pk == nil || now.Sub(pk.loaded) > reloadAfter {
		var err error
		if pk, err = k.load(ctx, poolID); err != nil {
			return nil, err
		}
		fresh = true
	}
	if needActive && !fresh && (pk.active == nil || !now.Before(pk.active.retires)) {
		// The cache may predate a successor this or another node published:
		// read the store before deciding a new key is needed.
		var err error
		if pk, err = k.load(ctx, poolID); err != nil {
			return nil, err
		}
	}
	if needActive && pk.active != nil && pk.active.retires.Sub(now) < prePublish && !pk.newest.After(now) {
		// Publish the successor now; it signs from the moment the current
		// key retires.
		if err := k.create(ctx, poolID, pk.active.retires); err != nil {
			return nil, err
		}
		var err error
		if pk, err = k.load(ctx, poolID); err != nil {
			return nil, err
		}
	}
	if needActive && (pk.active == nil || !now.Before(pk.active.retires)) {
		if err := k.create(ctx, poolID, now); err != nil {
			return nil, err
		}
		var err error
		if pk, err = k.load(ctx, poolID); err != nil {
			return nil, err
		}
		if pk.active == nil {
			return nil, errors.New("tokens: no usable signing key after creating one")
		}
	}
	return pk, nil
}

// load reads a pool's keys from the store into the cache.
func (k *Keyring) load(ctx context.Context, poolID string) (*poolKeys, error) {
	stored, err := k.Store.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	now := k.now()
	pk := &poolKeys{loaded: now, public: map[string]*rsa.PublicKey{}}
	var published []jose.JSONWebKey
	for _, sk := range stored { // newest first
		if !now.Before(sk.Expires) {
			continue
		}
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(sk.Public, &jwk); err != nil {
			return nil, fmt.Errorf("tokens: key %s: %w", sk.KID, err)
		}
		pub, ok := jwk.Key.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("tokens: key %s is not an RSA key", sk.KID)
		}
		pk.public[sk.KID] = pub
		published = append(published, jwk)
		if sk.Created.After(pk.newest) {
			pk.newest = sk.Created
		}
		if pk.active == nil && now.Before(sk.Retires) && !now.Before(sk.Created) {
			der, err := k.Sealer.Open(sk.Private, poolID+"/"+sk.KID)
			if err != nil {
				return nil, err
			}
			priv, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				return nil, fmt.Errorf("tokens: key %s: %w", sk.KID, err)
			}
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv},
				(&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), sk.KID))
			if err != nil {
				return nil, err
			}
			pk.active = &activeKey{kid: sk.KID, signer: signer, retires: sk.Retires}
		}
	}
	if published == nil {
		published = []jose.JSONWebKey{}
	}
	doc, err := json.Marshal(jose.JSONWebKeySet{Keys: published})
	if err != nil {
		return nil, err
	}
	pk.jwks = doc
	k.pools[poolID] = pk
	return pk, nil
}

// create generates, seals and stores a new key for the pool that signs from
// activates on.
func (k *Keyring) create(ctx context.Context, poolID string, activates time.Time) error {
	priv, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return err
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return err
	}
	// Cognito's kids are the standard base64 of a 32-byte digest.
	jwk.KeyID = base64.StdEncoding.EncodeToString(thumb)
	pub, err := json.Marshal(jwk)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	retires := activates.Add(k.rotateAfter())
	return k.Store.CreateSigningKey(ctx, &store.SigningKey{
		PoolID: poolID, KID: jwk.KeyID, Private: k.Sealer.Seal(der, poolID+"/"+jwk.KeyID), Public: pub,
		Created: activates, Retires: retires, Expires: retires.Add(MaxTokenLifetime + time.Hour),
	})
}

// Sign signs claims with the pool's current key.
func (k *Keyring) Sign(ctx context.Context, poolID string, claims map[string]any) (string, error) {
	pk, err := k.keys(ctx, poolID, true)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := pk.active.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// JWKS is the pool's published key set as JSON.
func (k *Keyring) JWKS(ctx context.Context, poolID string) ([]byte, error) {
	pk, err := k.keys(ctx, poolID, true)
	if err != nil {
		return nil, err
	}
	return pk.jwks, nil
}

// PublicKey finds a published key by kid, reloading once when it is unknown
// (another node may just have rotated).
func (k *Keyring) PublicKey(ctx context.Context, poolID, kid string) (*rsa.PublicKey, error) {
	pk, err := k.keys(ctx, poolID, false)
	if err != nil {
		return nil, err
	}
	if pub, ok := pk.public[kid]; ok {
		return pub, nil
	}
	k.mu.Lock()
	fresh := k.now().Sub(pk.loaded) < time.Second
	k.mu.Unlock()
	if !fresh {
		k.mu.Lock()
		pk, err = k.load(ctx, poolID)
		k.mu.Unlock()
		if err != nil {
			return nil, err
		}
		if pub, ok := pk.public[kid]; ok {
			return pub, nil
		}
	}
	return nil, ErrUnknownKey
}

// Rotate retires the pool's current key now: a new key signs from here on,
// the old one stays published until its tokens have expired.
func (k *Keyring) Rotate(ctx context.Context, poolID string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pools == nil {
		k.pools = map[string]*poolKeys{}
	}
	// Keys are ordered by creation time (milliseconds); a rotation in the
	// very millisecond of the previous key's creation leaves the choice to
	// the kids' order (a known gap, harmless outside tests).
	if err := k.create(ctx, poolID, k.now()); err != nil {
		return err
	}
	_, err := k.load(ctx, poolID)
	return err
}

// ErrUnknownKey: a token names a key the pool does not publish.
var ErrUnknownKey = errors.New("tokens: unknown signing key")
