package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"golang.org/x/crypto/argon2"

	"github.com/cogito-idp/cogito/internal/srp"
)

// SchemeArgon2id names argon2id (RFC 9106) as implemented by
// golang.org/x/crypto/argon2, version 0x13.
const SchemeArgon2id = "argon2id"

// The parameters New uses: OWASP Password Storage Cheat Sheet's first argon2id
// configuration, m=7168 KiB (7 MiB), t=5, p=1, which it rates equivalent to
// its other (m, t) choices; the roadmap's sign-in rate (about 48 per second
// per core) is budgeted for exactly these. 16-byte salt, 32-byte hash.
const (
	Argon2Memory      = 7 * 1024 // KiB
	Argon2Iterations  = 5
	Argon2Parallelism = 1
	SaltLength        = 16
	HashLength        = 32
)

// Bounds a record's parameters must respect before Verify spends time or
// memory on them, so a corrupt or hostile record (e.g. from an import) cannot
// make one sign-in allocate gigabytes.
const (
	maxArgon2Memory      = 1 << 20 // KiB, 1 GiB
	maxArgon2Iterations  = 64
	maxArgon2Parallelism = 16
	minHashLength        = 16
	maxHashLength        = 64
)

// Params are a scheme's cost parameters. Each scheme uses the fields it
// needs and leaves the others zero (and out of the JSON); new schemes add
// fields here rather than reinterpreting existing ones. bcrypt will need none
// (its cost is inside its hash string); PBKDF2 will use Iterations and a hash
// name; scrypt N, r and p.
type Params struct {
	// argon2id: memory in KiB, passes, lanes.
	Memory      uint32 `json:"memoryKiB,omitempty"`
	Iterations  uint32 `json:"iterations,omitempty"`
	Parallelism uint8  `json:"parallelism,omitempty"`
}

// Record is a stored password: the scheme's salt and hash for the flows that
// send the password, plus the SRP salt and verifier (v = g^x mod N as
// big-endian bytes, see internal/srp) for USER_SRP_AUTH. The SRP fields are
// empty for records that were imported without the plaintext.
type Record struct {
	Scheme      string `json:"scheme"`
	Params      Params `json:"params"`
	Salt        []byte `json:"salt"`
	Hash        []byte `json:"hash"`
	SRPSalt     []byte `json:"srpSalt,omitempty"`
	SRPVerifier []byte `json:"srpVerifier,omitempty"`
}

// New hashes plaintext with argon2id and computes its SRP salt and verifier
// for the pool (the part of the pool id after the underscore, srp.PoolName)
// and the user's USER_ID_FOR_SRP. It does not check any policy; callers run
// Policy.Check first.
func New(poolName, userIDForSRP, plaintext string) (*Record, error) {
	salt := make([]byte, SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	r := &Record{
		Scheme: SchemeArgon2id,
		Params: Params{Memory: Argon2Memory, Iterations: Argon2Iterations, Parallelism: Argon2Parallelism},
		Salt:   salt,
	}
	r.Hash = argon2.IDKey([]byte(plaintext), salt, Argon2Iterations, Argon2Memory, Argon2Parallelism, HashLength)
	r.SRPSalt = srp.NewSalt()
	// Fixed width (the size of N) so every stored verifier has the same size.
	r.SRPVerifier = srp.Verifier(poolName, userIDForSRP, plaintext, r.SRPSalt).FillBytes(make([]byte, (srp.N().BitLen()+7)/8))
	return r, nil
}

// Verify reports whether plaintext is the password, recomputing the hash with
// the record's own scheme and parameters and comparing in constant time. It
// is false for unknown schemes and out-of-bounds parameters.
func (r *Record) Verify(plaintext string) bool {
	if r == nil || r.validate() != nil {
		return false
	}
	switch r.Scheme {
	case SchemeArgon2id:
		got := argon2.IDKey([]byte(plaintext), r.Salt, r.Params.Iterations, r.Params.Memory, r.Params.Parallelism, uint32(len(r.Hash)))
		return subtle.ConstantTimeCompare(got, r.Hash) == 1
	}
	return false
}

// SRP returns the SRP salt and verifier, or nil, nil when the record has
// none (an imported hash); then USER_SRP_AUTH cannot succeed until the
// password is set again.
func (r *Record) SRP() (salt []byte, verifier *big.Int) {
	if r == nil || len(r.SRPSalt) == 0 || len(r.SRPVerifier) == 0 {
		return nil, nil
	}
	return append([]byte(nil), r.SRPSalt...), new(big.Int).SetBytes(r.SRPVerifier)
}

// NeedsRehash reports whether the record should be rebuilt with New the next
// time the plaintext is at hand (a successful password sign-in): it uses
// another scheme or weaker parameters than New, or lacks the SRP verifier.
func (r *Record) NeedsRehash() bool {
	if r.Scheme != SchemeArgon2id || len(r.SRPVerifier) == 0 || len(r.SRPSalt) == 0 {
		return true
	}
	p := r.Params
	return p.Memory < Argon2Memory || p.Iterations < Argon2Iterations || len(r.Hash) < HashLength
}

// Marshal encodes the record as JSON (byte fields in base64), the opaque
// form stored with the user. Unmarshal reads it back and validates it.
func (r *Record) Marshal() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // strings, integers and byte slices always encode
	}
	return b
}

// Unmarshal decodes a record written by Marshal and checks that its scheme
// is known and its parameters are within bounds.
func Unmarshal(data []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("password: decoding record: %w", err)
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// ErrBadRecord reports a record with an unknown scheme or parameters out of
// bounds.
var ErrBadRecord = errors.New("password: malformed record")

func (r *Record) validate() error {
	switch r.Scheme {
	case SchemeArgon2id:
		p := r.Params
		if p.Memory == 0 || p.Memory > maxArgon2Memory || p.Iterations == 0 || p.Iterations > maxArgon2Iterations ||
			p.Parallelism == 0 || p.Parallelism > maxArgon2Parallelism ||
			len(r.Salt) < 8 || len(r.Hash) < minHashLength || len(r.Hash) > maxHashLength {
			return fmt.Errorf("%w: argon2id parameters", ErrBadRecord)
		}
	default:
		return fmt.Errorf("%w: unknown scheme %q", ErrBadRecord, r.Scheme)
	}
	if (len(r.SRPSalt) == 0) != (len(r.SRPVerifier) == 0) {
		return fmt.Errorf("%w: SRP salt without verifier or the reverse", ErrBadRecord)
	}
	return nil
}

var (
	dummyOnce   sync.Once
	dummyRecord *Record
)

// DummyVerify spends the time Verify spends on a record made by New, and
// always reports false. Sign-in paths call it when the user does not exist,
// so that with PreventUserExistenceErrors an unknown user costs as long as a
// wrong password (see the notes, section Users).
func DummyVerify(plaintext string) bool {
	dummyOnce.Do(func() {
		r, err := New("dummy", "dummy", "dummy password that is never checked")
		if err != nil {
			panic(err)
		}
		dummyRecord = r
	})
	dummyRecord.Verify(plaintext)
	return false
}
