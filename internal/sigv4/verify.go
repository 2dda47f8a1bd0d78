package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultService is the signing name of the Cognito user pools API.
const DefaultService = "cognito-idp"

// DefaultMaxSkew is how far AWS lets a request's date stray from its clock.
const DefaultMaxSkew = 5 * time.Minute

// maxExpires is the longest X-Amz-Expires SigV4 allows: one week.
const maxExpires = 7 * 24 * time.Hour

// unsignedPayload is the X-Amz-Content-Sha256 value with which a signer
// leaves the body out of the signature.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Credentials looks up the secret for an access key id.
type Credentials func(accessKeyID string) (secret string, ok bool)

// Verifier checks SigV4 signatures against configured access keys.
// The zero value rejects every access key.
type Verifier struct {
	Credentials Credentials
	// Service is the signing name that credential scopes must carry;
	// "" means DefaultService.
	Service string
	// MaxSkew is the allowed difference between a request's date and Now;
	// 0 means DefaultMaxSkew, as AWS.
	MaxSkew time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Verify checks r's SigV4 signature, from its Authorization header or its
// presigned query string, against body, which the caller has already read:
// Verify never touches r.Body. On failure the error is an *Error carrying the
// exception type and message AWS returns for the same fault.
func (v *Verifier) Verify(r *http.Request, body []byte) (*Identity, error) {
	a, err := readAuth(r)
	if err != nil {
		return nil, err
	}
	t, err := a.time()
	if err != nil {
		return nil, err
	}
	if err := v.checkTime(a, t); err != nil {
		return nil, err
	}
	if !a.signs("host") && !a.signs(":authority") {
		return nil, invalid(msgHostUnsigned)
	}
	// The operation of a JSON API call is its X-Amz-Target header; a
	// signature that leaves it out could be replayed as another operation.
	if r.Header.Get("X-Amz-Target") != "" && !a.signs("x-amz-target") {
		return nil, invalid("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if err := a.checkAlgorithm(); err != nil {
		return nil, err
	}
	sc, err := splitCredential(a.credential)
	if err != nil {
		return nil, err
	}
	if err := v.checkScope(sc, t); err != nil {
		return nil, err
	}

	secret, ok := v.secret(sc.accessKeyID)
	if !ok {
		return nil, unrecognized()
	}
	payloadHash, err := payloadHash(r, a, body)
	if err != nil {
		return nil, err
	}

	key := signingKey(secret, sc)
	amzDate := t.Format(timeFormat)
	match := false
	for _, uri := range canonicalURIs(r) {
		sts := stringToSign(amzDate, sc, canonicalRequest(r, a, uri, payloadHash))
		want := hex.EncodeToString(hmacSHA256(key, sts))
		// Constant time, so that timing does not reveal how much of a
		// forged signature is right.
		if hmac.Equal([]byte(want), []byte(a.signature)) {
			match = true
		}
	}
	if !match {
		return nil, invalid(msgMismatch)
	}
	return sc.identity(), nil
}

func (v *Verifier) service() string {
	if v.Service == "" {
		return DefaultService
	}
	return v.Service
}

func (v *Verifier) secret(accessKeyID string) (string, bool) {
	if v.Credentials == nil || accessKeyID == "" {
		return "", false
	}
	return v.Credentials(accessKeyID)
}

// checkTime applies AWS's clock-skew window around the request date. A
// presigned URL with X-Amz-Expires stays valid for that long instead of for
// the skew; without it, AWS's JSON services apply the skew to presigned URLs
// as well.
func (v *Verifier) checkTime(a *auth, t time.Time) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	// AWS reports whole seconds; compare in whole seconds too, so the
	// message never shows a date equal to its bound.
	n := now().UTC().Truncate(time.Second)
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}

	if latest := n.Add(skew); t.After(latest) {
		return invalid(fmtNotYetCurrent, t.Format(timeFormat), latest.Format(timeFormat), n.Format(timeFormat), describe(skew))
	}
	window := skew
	if a.presigned && a.hasExpires {
		secs, err := strconv.ParseInt(a.expires, 10, 64)
		switch {
		case err != nil:
			return incomplete(msgExpiresNotNumber)
		case secs < 0:
			return incomplete(msgExpiresNegative)
		case secs > int64(maxExpires/time.Second):
			return incomplete(msgExpiresTooLong)
		}
		window = time.Duration(secs) * time.Second
	}
	if earliest := n.Add(-window); t.Before(earliest) {
		return invalid(fmtExpired, t.Format(timeFormat), earliest.Format(timeFormat), n.Format(timeFormat), describe(window))
	}
	return nil
}

// describe renders a window the way AWS does in its expiry messages ("5 min.").
func describe(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", d/time.Minute)
	}
	return fmt.Sprintf("%d sec.", d/time.Second)
}

// checkScope reports every scope fault in one message, as AWS does.
func (v *Verifier) checkScope(sc scope, t time.Time) error {
	var msg strings.Builder
	if sc.region == "" {
		// Cogito serves every region name; only an empty one is invalid.
		fmt.Fprintf(&msg, fmtScopeRegion, sc.region)
	}
	if svc := v.service(); sc.service != svc {
		fmt.Fprintf(&msg, fmtScopeService, svc)
	}
	if sc.terminator != terminator {
		fmt.Fprintf(&msg, fmtScopeTerminator, sc.terminator)
	}
	if day := t.Format(dateFormat); sc.date != day {
		fmt.Fprintf(&msg, fmtScopeDate, sc.date, day, t.Format(timeFormat))
	}
	if msg.Len() > 0 {
		return &Error{Type: TypeInvalidSignature, Message: msg.String()}
	}
	return nil
}

// payloadHash is the hash that goes into the canonical request: the
// X-Amz-Content-Sha256 the signer declared, or the SHA-256 of body. A
// declared hash must be the body's, otherwise a captured signature would
// carry any body; only UNSIGNED-PAYLOAD, by which the signer deliberately
// leaves the body unsigned, is taken as is.
func payloadHash(r *http.Request, a *auth, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	computed := hex.EncodeToString(sum[:])
	declared := r.Header.Get(headerContentSHA256)
	if declared == "" && a.presigned {
		declared, _ = lookup(a.query, queryContentSHA256)
	}
	switch {
	case declared == "":
		return computed, nil
	case declared == unsignedPayload, strings.EqualFold(declared, computed):
		return declared, nil
	}
	return "", invalid(msgContentSHA256Mismatch)
}
