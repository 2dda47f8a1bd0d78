package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	timeFormat = "20060102T150405Z" // ISO 8601 basic format, always UTC
	dateFormat = "20060102"

	headerAuthorization = "Authorization"
	headerDate          = "Date"
	headerAmzDate       = "X-Amz-Date"
	headerContentSHA256 = "X-Amz-Content-Sha256"

	queryAlgorithm     = "X-Amz-Algorithm"
	queryCredential    = "X-Amz-Credential"
	querySignature     = "X-Amz-Signature"
	querySignedHeaders = "X-Amz-SignedHeaders"
	queryDate          = "X-Amz-Date"
	queryExpires       = "X-Amz-Expires"
	queryContentSHA256 = "X-Amz-Content-Sha256"
)

// Identity is who signed a request, as named by its credential scope.
type Identity struct {
	AccessKeyID string
	Region      string
	Service     string
}

// Parse extracts the identity of r without checking its signature, its date
// or its scope. Cogito uses it on loopback, where any credentials are
// accepted. It returns an *Error when r carries no SigV4 authentication or
// carries it malformed, with the type and message AWS would return.
func Parse(r *http.Request) (*Identity, error) {
	a, err := readAuth(r)
	if err != nil {
		return nil, err
	}
	if err := a.checkAlgorithm(); err != nil {
		return nil, err
	}
	sc, err := splitCredential(a.credential)
	if err != nil {
		return nil, err
	}
	if sc.accessKeyID == "" {
		return nil, unrecognized()
	}
	return sc.identity(), nil
}

// auth is the signature material of a request as sent, before anything is
// checked against the clock, the configuration or a secret.
type auth struct {
	presigned     bool
	algorithm     string
	credential    string
	signedHeaders []string // lower-cased, in the order sent
	signature     string
	date          string // X-Amz-Date, or the Date header when there is none
	dateIsHTTP    bool   // date came from the Date header
	expires       string // X-Amz-Expires (presigned only)
	hasExpires    bool
	query         []queryParam // every query parameter, decoded, in wire order
}

type queryParam struct{ key, value string }

// readAuth finds the SigV4 material of r in its Authorization header or its
// query string and reports what is missing the way AWS does.
func readAuth(r *http.Request) (*auth, error) {
	query := parseQuery(r.URL.RawQuery)
	authz := r.Header.Get(headerAuthorization)
	_, presigned := lookup(query, queryAlgorithm)
	switch {
	case presigned && authz != "":
		return nil, invalid(msgBoth)
	case presigned:
		return readQueryAuth(query)
	case !strings.HasPrefix(strings.TrimSpace(authz), "AWS4-"):
		// AWS treats any other scheme (Basic, Bearer, SigV2 ...) as no
		// authentication at all rather than as a malformed signature.
		return nil, missingToken()
	}
	return readHeaderAuth(authz, r.Header, query)
}

func readHeaderAuth(authz string, h http.Header, query []queryParam) (*auth, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(authz), " ")
	params := make(map[string]string, 3)
	// SDKs separate the parameters with ", "; AWS also accepts "," or " "
	// alone, so split on either.
	fields := strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, incomplete(fmtMissingEqualSign, f, authz)
		}
		params[k] = v
	}

	a := &auth{
		algorithm:  alg,
		credential: params["Credential"],
		signature:  params["Signature"],
		query:      query,
	}
	a.signedHeaders = splitSignedHeaders(params["SignedHeaders"])
	a.date = h.Get(headerAmzDate)
	if a.date == "" {
		a.date, a.dateIsHTTP = h.Get(headerDate), true
	}

	// AWS lists every missing piece in one message, then echoes the header.
	var msg strings.Builder
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			fmt.Fprintf(&msg, fmtHeaderRequires, k)
		}
	}
	if a.date == "" {
		msg.WriteString(msgHeaderNeedsDate)
	}
	if msg.Len() > 0 {
		msg.WriteString("Authorization=")
		msg.WriteString(authz)
		return nil, &Error{Type: TypeIncompleteSignature, Message: msg.String()}
	}
	return a, nil
}

func readQueryAuth(query []queryParam) (*auth, error) {
	var msg strings.Builder
	for _, k := range []string{queryAlgorithm, queryCredential, querySignature, querySignedHeaders, queryDate} {
		if v, _ := lookup(query, k); v == "" {
			fmt.Fprintf(&msg, fmtQueryRequires, k)
		}
	}
	if msg.Len() > 0 {
		msg.WriteString(msgReexamineQuery)
		return nil, &Error{Type: TypeIncompleteSignature, Message: msg.String()}
	}

	a := &auth{presigned: true, query: query}
	a.algorithm, _ = lookup(query, queryAlgorithm)
	a.credential, _ = lookup(query, queryCredential)
	a.signature, _ = lookup(query, querySignature)
	sh, _ := lookup(query, querySignedHeaders)
	a.signedHeaders = splitSignedHeaders(sh)
	a.date, _ = lookup(query, queryDate)
	a.expires, a.hasExpires = lookup(query, queryExpires)
	return a, nil
}

func splitSignedHeaders(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.ToLower(s), ";")
}

// time parses the request date. X-Amz-Date must be in ISO 8601 basic format;
// a Date header may also be an HTTP date, as SigV4 allows it there.
func (a *auth) time() (time.Time, error) {
	if t, err := time.Parse(timeFormat, a.date); err == nil && t.Format(timeFormat) == a.date {
		// The round trip rejects what time.Parse tolerates, such as
		// one-digit hours.
		return t, nil
	}
	if a.dateIsHTTP {
		if t, err := http.ParseTime(a.date); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, incomplete(fmtBadDate, a.date)
}

func (a *auth) signs(header string) bool {
	for _, h := range a.signedHeaders {
		if h == header {
			return true
		}
	}
	return false
}

func (a *auth) checkAlgorithm() error {
	if a.algorithm != algorithm {
		return incomplete(fmtAlgorithm, a.algorithm)
	}
	return nil
}

// scope is the parsed Credential: keyid/date/region/service/terminator.
type scope struct {
	accessKeyID, date, region, service, terminator string
}

func (s scope) identity() *Identity {
	return &Identity{AccessKeyID: s.accessKeyID, Region: s.region, Service: s.service}
}

func (s scope) String() string {
	return s.date + "/" + s.region + "/" + s.service + "/" + s.terminator
}

func splitCredential(c string) (scope, error) {
	// AWS ignores trailing slashes here.
	parts := strings.Split(strings.TrimRight(c, "/"), "/")
	if len(parts) != 5 {
		return scope{}, incomplete(fmtCredentialParts, c)
	}
	return scope{parts[0], parts[1], parts[2], parts[3], parts[4]}, nil
}

// parseQuery splits a raw query string into decoded parameters, keeping
// duplicates and empty values: both take part in the canonical query string.
// Unlike url.ParseQuery it neither drops pairs containing ';' nor stops at a
// malformed escape; an undecodable component is kept as sent, which then
// simply fails to match any signature.
func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	var params []queryParam
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		params = append(params, queryParam{key: unescape(k), value: unescape(v)})
	}
	return params
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// lookup returns the first value of key, as AWS reads the first one.
func lookup(params []queryParam, key string) (string, bool) {
	for _, p := range params {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}
