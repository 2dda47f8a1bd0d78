package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"math/big"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/password"
	"github.com/cogito-idp/cogito/internal/srp"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// timestampSkew is how far a PASSWORD_VERIFIER TIMESTAMP may be from the
// server's clock.
const timestampSkew = 5 * time.Minute

// srpFlow is USER_SRP_AUTH: the client sends A, the server answers
// PASSWORD_VERIFIER with the salt and B; the password never travels.
func (s *Service) srpFlow(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Result, error) {
	step, err := s.srpStart(ctx, pool, c, req)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, pool, c, step)
}

func (s *Service) srpStart(ctx context.Context, pool *userpool.Pool, c *userpool.Client, req *Request) (*Step, error) {
	name := req.Params["USERNAME"]
	if err := c.CheckSecretHash(name, req.Params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	aHex := req.Params["SRP_A"]
	if aHex == "" {
		return nil, errs.Param("Missing required parameter SRP_A")
	}
	A, err := srp.ParseHex(aHex)
	if err != nil || new(big.Int).Mod(A, srp.N()).Sign() == 0 {
		return nil, errs.New(errs.NotAuthorized, "Incorrect username or password.")
	}
	u, err := s.findForSignIn(ctx, pool, c, name)
	if errs.Is(err, errs.NotAuthorized) {
		// PreventUserExistenceErrors: a decoy challenge that can never be
		// answered, shaped like a real one.
		return s.srpChallenge(ctx, pool, c, "", name, nil, aHex, true, req.Admin)
	}
	if err != nil {
		return nil, err
	}
	if err := s.preCheck(u); err != nil {
		return nil, err
	}
	if err := s.checkLock(u); err != nil {
		return nil, err
	}
	if err := s.preAuthentication(ctx, pool, c, u, req.ClientMetadata); err != nil {
		return nil, err
	}
	rec, err := password.Unmarshal(u.Password)
	if err != nil {
		return nil, errIncorrect
	}
	return s.srpChallenge(ctx, pool, c, u.UsernameKey, u.Username, rec, aHex, false, req.Admin)
}

func (s *Service) srpChallenge(ctx context.Context, pool *userpool.Pool, c *userpool.Client, key, username string,
	rec *password.Record, aHex string, fake, admin bool) (*Step, error) {
	var salt []byte
	var v *big.Int
	if rec != nil {
		salt, v = rec.SRP()
	} else {
		salt = srp.NewSalt()
		x := make([]byte, 32)
		rand.Read(x)
		v = new(big.Int).Exp(srp.G(), new(big.Int).SetBytes(x), srp.N())
	}
	ss, err := srp.NewServerSession(v)
	if err != nil {
		return nil, err
	}
	st := &session{Challenge: "PASSWORD_VERIFIER", Username: username, SRPSecret: hex.EncodeToString(ss.Secret()),
		SRPA: aHex, SRPB: ss.B().Text(16), Fake: fake, Admin: admin, AuthTime: s.now()}
	// The secret block is the session handle: clients echo it back as
	// PASSWORD_CLAIM_SECRET_BLOCK and sign over its bytes.
	handle, err := s.newSession(ctx, pool, c, key, st)
	if err != nil {
		return nil, err
	}
	return &Step{Challenge: "PASSWORD_VERIFIER", ChallengeParameters: map[string]string{
		"SALT":            srp.SaltHex(salt),
		"SRP_B":           ss.B().Text(16),
		"SECRET_BLOCK":    secretBlock(handle),
		"USERNAME":        username,
		"USER_ID_FOR_SRP": username,
	}}, nil
}

// secretBlock wraps a session handle as the base64 SECRET_BLOCK; handleOf
// undoes it.
func secretBlock(handle string) string { return base64.StdEncoding.EncodeToString([]byte(handle)) }

func handleOf(block string) (string, []byte, bool) {
	b, err := base64.StdEncoding.DecodeString(block)
	if err != nil || len(b) == 0 {
		return "", nil, false
	}
	return string(b), b, true
}

// passwordVerifier answers PASSWORD_VERIFIER: the client proves it derived
// the same key, signing the secret block and a fresh timestamp.
func (s *Service) passwordVerifier(ctx context.Context, pool *userpool.Pool, c *userpool.Client, r *Response) (*Step, error) {
	block := r.Responses["PASSWORD_CLAIM_SECRET_BLOCK"]
	sig := r.Responses["PASSWORD_CLAIM_SIGNATURE"]
	ts := r.Responses["TIMESTAMP"]
	if block == "" || sig == "" || ts == "" {
		return nil, errs.Param("Missing required parameter PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE or TIMESTAMP")
	}
	when, err := srp.ParseTimestamp(ts)
	if err != nil {
		return nil, errs.Param("%s", srp.TimestampErrorMessage)
	}
	handle, blockBytes, ok := handleOf(block)
	if !ok {
		return nil, errBadSession
	}
	as, st, err := s.takeSession(ctx, handle, c)
	if err != nil {
		return nil, err
	}
	if st.Challenge != "PASSWORD_VERIFIER" {
		return nil, errBadSession
	}
	if st.Fake {
		return nil, errIncorrect
	}
	if d := s.now().Sub(when); d > timestampSkew || d < -timestampSkew {
		return nil, errs.New(errs.NotAuthorized, "Incorrect username or password.")
	}
	u, err := s.Store.GetUser(ctx, pool.ID, as.UsernameKey)
	if err != nil {
		return nil, errIncorrect
	}
	if err := s.verifyClaim(ctx, pool, u, st, blockBytes, ts, sig); err != nil {
		return nil, err
	}
	if err := s.preCheck(u); err != nil {
		return nil, err
	}
	return s.passwordVerified(ctx, pool, c, u, st.Admin, r.ClientMetadata)
}

// verifyClaim checks a PASSWORD_VERIFIER answer: the client derived the
// same key from its password as the server from the verifier, and signed
// the secret block and timestamp with it. A wrong signature counts towards
// lockout.
func (s *Service) verifyClaim(ctx context.Context, pool *userpool.Pool, u *store.User, st *session, block []byte, ts, sig string) error {
	rec, err := password.Unmarshal(u.Password)
	if err != nil {
		return errIncorrect
	}
	_, v := rec.SRP()
	secret, err := hex.DecodeString(st.SRPSecret)
	if err != nil {
		return errBadSession
	}
	var ss *srp.ServerSession
	if bigB, ok := new(big.Int).SetString(st.SRPB, 16); ok {
		ss, err = srp.ResumeServerSession(v, secret, bigB)
	} else {
		ss, err = srp.RestoreServerSession(v, secret)
	}
	if err != nil {
		return errBadSession
	}
	A, err := srp.ParseHex(st.SRPA)
	if err != nil {
		return errIncorrect
	}
	key, err := ss.Key(A)
	if err != nil {
		return errIncorrect
	}
	sigBytes, decErr := base64.StdEncoding.DecodeString(sig)
	_, err = s.attempt(ctx, pool, u, func(*store.User) bool {
		return decErr == nil && srp.VerifySignature(key, pool.PoolName(), u.Username, block, ts, sigBytes)
	})
	return err
}
