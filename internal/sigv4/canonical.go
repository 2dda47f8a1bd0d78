package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// canonicalRequest builds the SigV4 canonical request of r:
//
//	Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
func canonicalRequest(r *http.Request, a *auth, uri, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(a.query, a.presigned))
	b.WriteByte('\n')
	for _, name := range a.signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(a.signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURIs returns the canonical URI of r's path, SigV4-normalised, and,
// when it differs, the path exactly as sent. SDKs disagree on normalisation
// (the JavaScript and Python ones remove "." and ".." segments and empty
// segments, the Go one signs the path as sent), and both forms name the same
// resource, so a signature over either is accepted.
//
// Every segment is encoded once more on top of its encoding on the wire: for
// every service but S3, SigV4 encodes the path twice.
func canonicalURIs(r *http.Request) []string {
	raw := r.URL.EscapedPath()
	if raw == "" {
		raw = "/"
	}
	normal := encodePath(normalizePath(raw))
	asSent := encodePath(raw)
	if normal == asSent {
		return []string{normal}
	}
	return []string{normal, asSent}
}

// normalizePath removes empty, "." and ".." segments as RFC 3986 section 5.2.4
// and the SigV4 test suite do, keeping a trailing slash.
func normalizePath(p string) string {
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	n := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(p, "/") {
		n += "/"
	}
	return n
}

func encodePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery encodes every parameter per RFC 3986 and sorts by encoded
// name, then value. A presigned request's own signature is left out.
func canonicalQuery(params []queryParam, presigned bool) string {
	enc := make([]queryParam, 0, len(params))
	for _, p := range params {
		if presigned && p.key == querySignature {
			continue
		}
		enc = append(enc, queryParam{key: uriEncode(p.key), value: uriEncode(p.value)})
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].key != enc[j].key {
			return enc[i].key < enc[j].key
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// uriEncode percent-encodes every byte outside RFC 3986's unreserved set
// (A-Z a-z 0-9 - _ . ~) with upper-case hex, as SigV4 requires; unlike
// url.QueryEscape it never writes '+'.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xF])
	}
	return b.String()
}

// headerValue is the canonical value of a signed header: every value trimmed,
// runs of spaces collapsed, joined with commas.
func headerValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host", ":authority":
		// net/http moves Host out of the header map into r.Host.
		values = []string{r.Host}
	default:
		values = r.Header.Values(name)
		if len(values) == 0 {
			values = headerValuesFold(r.Header, name)
		}
		if len(values) == 0 {
			// net/http keeps these out of the header map on some paths;
			// SDKs sign the length they send.
			switch name {
			case "content-length":
				if r.ContentLength > 0 {
					values = []string{strconv.FormatInt(r.ContentLength, 10)}
				}
			case "transfer-encoding":
				values = r.TransferEncoding
			}
		}
	}
	// values may alias r.Header; build the result without writing to it.
	var b strings.Builder
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(collapseSpaces(strings.TrimSpace(v)))
	}
	return b.String()
}

// headerValuesFold finds a header whose stored key was not canonicalised
// (net/http keeps keys it cannot canonicalise as sent).
func headerValuesFold(h http.Header, name string) []string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func collapseSpaces(s string) string {
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func stringToSign(amzDate string, sc scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return algorithm + "\n" + amzDate + "\n" + sc.String() + "\n" + hex.EncodeToString(sum[:])
}

// signingKey derives the per-day, per-region, per-service key from the secret.
func signingKey(secret string, sc scope) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), sc.date)
	k = hmacSHA256(k, sc.region)
	k = hmacSHA256(k, sc.service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
