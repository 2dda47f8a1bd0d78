// Package verifier checks the JSON Web Tokens issued by a Cogito or Amazon Cognito user
// pool, for Go services that sit behind them, and offers an HTTP middleware that answers
// like an API Gateway Cognito authorizer.
//
// It follows AWS's steps for verifying a user-pool JWT ("Verifying a JSON Web Token" in the
// Cognito developer guide) and the documented behaviour of aws-jwt-verify:
//
//   - the signature must be RS256 from a key of the pool's JWKS, chosen by kid; any other
//     alg (none, HS256 with the public key as the HMAC secret, RS384, PS256, ...) is
//     refused, as are JWKS keys whose use is not "sig";
//   - iss must equal Config.Issuer exactly;
//   - token_use must be "id" or "access" (and Config.TokenUse if set);
//   - the client must be allowed: aud for id tokens, client_id for access tokens (which
//     have no aud);
//   - exp must be in the future, iat and nbf (if present) not in the future, each with
//     Config.Leeway;
//   - optionally cognito:groups must hold one of Config.Groups and scope one of
//     Config.Scopes.
//
// Failures are wrapped sentinel errors (ErrExpired, ErrInvalidSignature, ...) to test with
// errors.Is.
//
// The JWKS is fetched on first use and cached as long as its response's Cache-Control
// max-age (or Expires) allows, an hour when it says nothing, a day at most. A token whose
// kid is not cached triggers a refetch, so key rotation needs no restart; fetches of any
// kind are at most one per MinRefetchInterval (10 s by default, aws-jwt-verify's penalty
// box), so tokens with forged kids cannot make the verifier hammer the issuer, and
// concurrent verifications share one fetch. If refetching an expired JWKS fails, the
// cached keys stay in use for up to MaxStale.
//
// Usage:
//
//	v, err := verifier.New(verifier.Config{
//		Issuer:    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
//		TokenUse:  "access",
//		ClientIDs: []string{"4tbl8m3rqd2eh3ku9ia0ie0ulf"},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.Handle("/orders", v.Middleware(ordersHandler))
//
//	// in ordersHandler:
//	claims, _ := verifier.ClaimsFrom(r.Context())
//	log.Printf("request from %s (%s)", claims.Username, claims.Subject)
//
// Or verify a token directly with v.Verify(ctx, token).
package verifier
