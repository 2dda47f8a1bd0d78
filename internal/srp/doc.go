// Package srp holds the server side of the SRP-6a variant that Amazon Cognito
// User Pools use for USER_SRP_AUTH (and the PASSWORD_VERIFIER challenge), as
// arithmetic only: no storage, no sessions, no wire format beyond the hex and
// timestamp encodings the clients depend on.
//
// Why a package of its own: Cognito's SRP is not textbook RFC 5054. It fixes
// the 3072-bit group of RFC 3526 with g = 2 and SHA-256, hashes numbers over a
// Java-BigInteger-style "padded hex" encoding, derives the session key with
// HKDF ("Caldera Derived Key"), and proves possession with an HMAC over the
// pool name, user id, an opaque secret block and a timestamp. Every client
// (amazon-cognito-identity-js, Amplify, pycognito/warrant, Go cognito-srp)
// computes exactly this, so the server must match them bit for bit; see the
// section "SRP (USER_SRP_AUTH) as Cognito does it" in
// /work/shared/cognito-notes.md, which is the specification followed here.
//
// The package is proven against the real JavaScript client: the vectors in
// testdata/js-vectors.json are produced by amazon-cognito-identity-js itself
// (testdata/gen-vectors.mjs drives CognitoUser.authenticateUser against a
// stubbed service) and jsvectors_test.go checks that this package reproduces the
// verifier, B, u, S, the HKDF key and the PASSWORD_CLAIM_SIGNATURE exactly.
//
// A sign-in goes:
//
//	// When the password is set; store salt and v.
//	salt := NewSalt()
//	v := Verifier(poolName, userIDForSRP, password, salt)
//
//	// InitiateAuth (SRP_A arrives): reply SALT = SaltHex(salt) and
//	// SRP_B = s.B().Text(16); keep s.Secret() in the auth session.
//	s, err := NewServerSession(v)
//
//	// RespondToAuthChallenge (PASSWORD_VERIFIER):
//	s, err = RestoreServerSession(v, secret)
//	A, err := ParseHex(srpA)
//	key, err := s.Key(A)
//	ok := VerifySignature(key, poolName, userIDForSRP, secretBlock, timestamp, signature)
//
// Security notes. The verifier v is password-equivalent for an offline
// attacker: testing one guess costs two SHA-256 and one 3072-bit modular
// exponentiation with a 256-bit exponent, far cheaper than an argon2id
// evaluation, so whoever can read stored verifiers can guess passwords much
// faster than from the argon2id hash stored beside them. That is inherent in
// Cognito's protocol (the client fixes how x is derived); protect stored
// verifiers accordingly (measured here: about 0.9 ms per guess per core
// against about 25 ms for the argon2id check of internal/password, and the
// exponentiation, unlike argon2id, needs no memory).
//
// math/big is not constant-time. The secrets it handles are b, fresh for each
// handshake (so timing can only leak about one b through the few
// exponentiations of that handshake), and x, exponentiated once when a
// password is set.
package srp
