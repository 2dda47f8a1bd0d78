package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
)

// nHex is the 3072-bit MODP prime of RFC 3526, section 4 (the same constant
// amazon-cognito-identity-js calls initN). Generator g = 2.
const nHex = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// infoBits is the HKDF info string every Cognito SRP client uses.
const infoBits = "Caldera Derived Key"

// KeySize is the length of the derived session key: clients keep the first
// 16 bytes of the single HKDF-SHA256 output block.
const KeySize = 16

// SaltSize is the length of the salts NewSalt draws (Cognito's SALT values
// are 16 bytes).
const SaltSize = 16

// SecretSize is the length of the server's ephemeral exponent b. 256 bits give
// the 128-bit security level the 3072-bit group offers (short exponents of
// twice the security level are the usual choice for safe-prime groups), and
// keep g^b and the S exponentiation cheap.
const SecretSize = 32

// maxHexDigits bounds the SRP_A strings ParseHex accepts. Clients send
// A = g^a mod N, at most 768 hex digits (770 if a client pads it); anything
// far longer is an attempt to make the server multiply huge numbers.
const maxHexDigits = 1024

var (
	n = mustHex(nHex)
	g = big.NewInt(2)
	// k = H(padhex(N) ‖ padhex(g)), per the notes (SRP-6a multiplier).
	k = new(big.Int).SetBytes(hashBytes(padBytes(n), padBytes(g)))
)

// N returns a copy of the group prime (RFC 3526 3072-bit MODP group).
func N() *big.Int { return new(big.Int).Set(n) }

// G returns the generator, 2.
func G() *big.Int { return big.NewInt(2) }

// K returns a copy of the SRP-6a multiplier k = H(padhex(N) ‖ padhex(g)).
func K() *big.Int { return new(big.Int).Set(k) }

func mustHex(s string) *big.Int {
	x, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad constant")
	}
	return x
}

// padBytes is the byte form of PadHex: the big-endian magnitude with a 0x00
// prepended when its top bit is set (the minimal two's-complement encoding,
// as Java's BigInteger.toByteArray gives). Zero encodes as one 0x00 byte,
// like the clients' padHex(0) = "00".
func padBytes(x *big.Int) []byte {
	b := x.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}

// PadHex is the "padded hex" of the notes: lowercase hex of x, prefixed with
// "0" when its length is odd, then with "00" when the first digit is 8-f (a
// sign byte, as Java's BigInteger prints). Every hash of a number in Cognito's
// SRP is over the bytes this string spells, so a one-nibble difference here
// breaks every sign-in whose numbers happen to start with 8-f. x must not be
// negative (SRP never needs negative numbers; the clients' two's-complement
// branch for them is not reproduced).
func PadHex(x *big.Int) string {
	if x.Sign() < 0 {
		panic("srp: PadHex of a negative number")
	}
	return hex.EncodeToString(padBytes(x))
}

// hashBytes is SHA-256 over the concatenation of parts.
func hashBytes(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// NewSalt returns SaltSize random bytes for a new verifier.
func NewSalt() []byte {
	s := make([]byte, SaltSize)
	if _, err := rand.Read(s); err != nil {
		panic(err) // crypto/rand.Read does not fail on supported platforms
	}
	return s
}

// saltInt is how every client sees the salt: it receives SALT as hex and
// parses it into a big integer, so leading zero bytes of the stored salt are
// lost and the hash covers padhex(salt as integer), not the raw bytes.
func saltInt(salt []byte) *big.Int { return new(big.Int).SetBytes(salt) }

// SaltHex is the value to send as the SALT challenge parameter for a stored
// salt: PadHex of the salt read as a big-endian integer. Any hex spelling of
// the same integer would do for amazon-cognito-identity-js and Amplify (they
// parse SALT into a BigInteger and re-pad it), but pycognito/warrant hash the
// SALT string as received after only adding missing padding, so a salt sent
// with a leading "00" byte that PadHex would drop would hash differently
// there. Sending the canonical padded form makes all of them agree.
func SaltHex(salt []byte) string { return PadHex(saltInt(salt)) }

// PoolName is the part of a user pool id after the underscore
// ("us-east-1_aB3dE5fG7" gives "aB3dE5fG7"), which is what the clients mix
// into x and into the signature (CognitoUserPool.getUserPoolName).
func PoolName(userPoolID string) string {
	if i := strings.IndexByte(userPoolID, '_'); i >= 0 {
		return userPoolID[i+1:]
	}
	return userPoolID
}

// x computes x = H(padhex(salt) bytes ‖ H(poolName ‖ userId ‖ ":" ‖ password))
// as a number, exactly as getPasswordAuthenticationKey does in the clients.
// The password is hashed as its UTF-8 bytes (JS strings are fed to SHA-256
// as UTF-8).
func x(poolName, userIDForSRP, password string, salt []byte) *big.Int {
	inner := sha256.Sum256([]byte(poolName + userIDForSRP + ":" + password))
	return new(big.Int).SetBytes(hashBytes(padBytes(saltInt(salt)), inner[:]))
}

// Verifier returns v = g^x mod N for a password, where x is as the notes
// define it. poolName is the pool id after the underscore (see PoolName) and
// userIDForSRP is the value the server will send as USER_ID_FOR_SRP (the
// stored username, e.g. the UUID in email-as-username pools): both are part
// of x, so a verifier stays valid only while they do not change.
func Verifier(poolName, userIDForSRP, password string, salt []byte) *big.Int {
	return new(big.Int).Exp(g, x(poolName, userIDForSRP, password, salt), n)
}

// ServerSession is the server's half of one handshake: the verifier v, the
// ephemeral secret b and the public B = (k·v + g^b) mod N. It is immutable
// and safe for concurrent use.
type ServerSession struct {
	v, b, bigB *big.Int
}

var (
	// ErrBadVerifier reports a verifier that is not in the group (0, or not
	// below N), which no Verifier call produces.
	ErrBadVerifier = errors.New("srp: verifier out of range")
	// ErrBadSecret reports a session secret that is not SecretSize bytes
	// or is zero.
	ErrBadSecret = errors.New("srp: bad session secret")
	// ErrBadA reports a client public value A that is zero, negative, a
	// multiple of N or implausibly large. RFC 5054 section 2.5.4 requires the
	// server to abort when A mod N = 0: with A = 0 (or N, 2N, ...) the shared
	// secret is 0 whatever the password, and a client could sign in without
	// it.
	ErrBadA = errors.New("srp: illegal client value A")
	// ErrZeroU reports u = H(padhex(A) ‖ padhex(B)) = 0, which RFC 5054
	// also requires aborting on (the clients refuse it too).
	ErrZeroU = errors.New("srp: u is zero")
)

// NewServerSession starts a handshake for verifier v: it picks a random
// 256-bit b (retrying in the practically impossible case that B ≡ 0 mod N,
// which the clients reject) and computes B.
func NewServerSession(v *big.Int) (*ServerSession, error) {
	if err := checkVerifier(v); err != nil {
		return nil, err
	}
	secret := make([]byte, SecretSize)
	for {
		if _, err := rand.Read(secret); err != nil {
			return nil, err
		}
		s, err := RestoreServerSession(v, secret)
		if err == nil {
			return s, nil
		}
		if err != ErrBadSecret {
			return nil, err
		}
	}
}

func checkVerifier(v *big.Int) error {
	if v == nil || v.Sign() <= 0 || v.Cmp(n) >= 0 {
		return ErrBadVerifier
	}
	return nil
}

// RestoreServerSession rebuilds a session from the verifier and the secret b
// (as returned by Secret), so that the state between InitiateAuth and
// RespondToAuthChallenge can live in Cogito's opaque Session string instead
// of server memory. B is recomputed (one short exponentiation).
// ResumeServerSession restores a session from its secret and the B it
// answered with, saving the exponentiation RestoreServerSession spends on
// recomputing B. B must be the value this server computed and kept (in the
// server's own session store, never taken from the client).
func ResumeServerSession(v *big.Int, secret []byte, bigB *big.Int) (*ServerSession, error) {
	if err := checkVerifier(v); err != nil {
		return nil, err
	}
	if len(secret) != SecretSize {
		return nil, ErrBadSecret
	}
	b := new(big.Int).SetBytes(secret)
	if b.Sign() == 0 || bigB == nil || bigB.Sign() <= 0 || bigB.Cmp(n) >= 0 {
		return nil, ErrBadSecret
	}
	return &ServerSession{v: new(big.Int).Set(v), b: b, bigB: new(big.Int).Set(bigB)}, nil
}

func RestoreServerSession(v *big.Int, secret []byte) (*ServerSession, error) {
	if err := checkVerifier(v); err != nil {
		return nil, err
	}
	if len(secret) != SecretSize {
		return nil, ErrBadSecret
	}
	b := new(big.Int).SetBytes(secret)
	if b.Sign() == 0 {
		return nil, ErrBadSecret
	}
	bigB := new(big.Int).Exp(g, b, n)
	bigB.Add(bigB, new(big.Int).Mul(k, v))
	bigB.Mod(bigB, n)
	if bigB.Sign() == 0 {
		return nil, ErrBadSecret
	}
	return &ServerSession{v: new(big.Int).Set(v), b: b, bigB: bigB}, nil
}

// B returns a copy of the server's public value, sent as SRP_B (in hex, e.g.
// B().Text(16); the clients parse it as a number, so padding is irrelevant).
func (s *ServerSession) B() *big.Int { return new(big.Int).Set(s.bigB) }

// Secret returns b as SecretSize big-endian bytes, for RestoreServerSession.
// It is as sensitive as a password attempt's outcome: whoever holds it and
// sees the client's A can compute the session key, so keep it encrypted and
// authenticated inside the auth session.
func (s *ServerSession) Secret() []byte {
	return s.b.FillBytes(make([]byte, SecretSize))
}

// Key derives the 16-byte session key from the client's public value A:
// u = H(padhex(A) ‖ padhex(B)); S = (A · v^u)^b mod N;
// key = HKDF-SHA256(ikm = padhex(S) bytes, salt = padhex(u) bytes,
// info = "Caldera Derived Key")[:16]. It rejects A ≡ 0 (mod N) and u = 0.
// A is used as the client sent it for u (the client hashes its own A), and
// reduced mod N for S.
func (s *ServerSession) Key(A *big.Int) ([]byte, error) {
	if A == nil || A.Sign() <= 0 || A.BitLen() > 4*maxHexDigits {
		return nil, ErrBadA
	}
	aModN := new(big.Int).Mod(A, n)
	if aModN.Sign() == 0 {
		return nil, ErrBadA
	}
	u := new(big.Int).SetBytes(hashBytes(padBytes(A), padBytes(s.bigB)))
	if u.Sign() == 0 {
		return nil, ErrZeroU
	}
	S := new(big.Int).Exp(s.v, u, n)
	S.Mul(S, aModN)
	S.Mod(S, n)
	S.Exp(S, s.b, n)
	return hkdf.Key(sha256.New, padBytes(S), padBytes(u), infoBits, KeySize)
}

// ParseHex parses a hex number as clients send it (SRP_A: lowercase or
// uppercase digits, no sign, no "0x", possibly with leading zeros), refusing
// empty or overlong input before any big-number work is done.
func ParseHex(s string) (*big.Int, error) {
	if len(s) == 0 || len(s) > maxHexDigits {
		return nil, ErrBadA
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, ErrBadA
		}
	}
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return nil, ErrBadA
	}
	return v, nil
}

// Signature is the PASSWORD_CLAIM_SIGNATURE a client holding the right
// password computes (before base64): HMAC-SHA256 keyed with the session key
// over poolName ‖ userIdForSrp ‖ secret block bytes ‖ timestamp, where the
// secret block is the base64-decoded SECRET_BLOCK and timestamp is the
// TIMESTAMP string exactly as the client sent it.
func Signature(key []byte, poolName, userIDForSRP string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(poolName))
	m.Write([]byte(userIDForSRP))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// VerifySignature reports whether signature (the base64-decoded
// PASSWORD_CLAIM_SIGNATURE) is the one Signature computes, comparing in
// constant time so the reply time does not reveal how many bytes matched.
func VerifySignature(key []byte, poolName, userIDForSRP string, secretBlock []byte, timestamp string, signature []byte) bool {
	return hmac.Equal(Signature(key, poolName, userIDForSRP, secretBlock, timestamp), signature)
}
