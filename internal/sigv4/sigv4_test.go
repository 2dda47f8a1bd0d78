package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
)

const (
	testKey    = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	testHost   = "cognito-idp.us-east-1.amazonaws.com"
	testBody   = `{"UserPoolId":"us-east-1_example","Username":"alice"}`
	testTarget = "AWSCognitoIdentityProviderService.AdminGetUser"
)

// signTime is 20240101T000000Z, the date of AWS's own expiry example.
var signTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func testCredentials(id string) (string, bool) {
	if id == testKey {
		return testSecret, true
	}
	return "", false
}

func hashHex(b string) string {
	sum := sha256.Sum256([]byte(b))
	return hex.EncodeToString(sum[:])
}

// request is a cognito-idp JSON 1.1 call as an SDK sends it, unsigned.
func request(t *testing.T, target, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", testTarget)
	return r
}

// signed signs r with the AWS SDK's own signer.
func signed(t *testing.T, r *http.Request, body, key, secret, service string, at time.Time) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hashHex(body), service, testRegion, at); err != nil {
		t.Fatal(err)
	}
	return r
}

// std is the usual signed AdminGetUser request.
func std(t *testing.T) *http.Request {
	return signed(t, request(t, "https://"+testHost+"/", testBody), testBody, testKey, testSecret, "cognito-idp", signTime)
}

// presigned builds a presigned URL with the SDK, expiring after expires
// seconds ("" for no X-Amz-Expires), and returns the GET request for it.
func presigned(t *testing.T, expires string) *http.Request {
	t.Helper()
	u := "https://" + testHost + "/?Action=ListUserPools&MaxResults=1"
	if expires != "" {
		u += "&X-Amz-Expires=" + expires
	}
	r, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}
	signedURL, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, r, hashHex(""), "cognito-idp", testRegion, signTime)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest(http.MethodGet, signedURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = v
		}
	}
	return out
}

func replaceAuth(old, new string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
	}
}

func setQuery(key, value string) func(*http.Request) {
	return func(r *http.Request) {
		q := r.URL.Query()
		if value == "\x00" {
			q.Del(key)
		} else {
			q.Set(key, value)
		}
		r.URL.RawQuery = q.Encode()
	}
}

func TestVerify(t *testing.T) {
	okIdentity := &Identity{AccessKeyID: testKey, Region: testRegion, Service: "cognito-idp"}
	mismatch := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

	tests := []struct {
		name     string
		req      func(t *testing.T) *http.Request
		body     string // body handed to Verify; "" means testBody
		mutate   func(r *http.Request)
		verifier func(v *Verifier)
		wantType string // "" means success
		wantMsg  string // checked exactly when not ""
	}{
		{name: "valid", req: std},
		{
			name: "valid, odd path and query signed by the Go SDK",
			req: func(t *testing.T) *http.Request {
				u := "https://" + testHost + "/some%20dir/./x/?b=2&a=1&a=0&empty=&sp=a%20b&plus=a+b&tilde=~"
				return signed(t, request(t, u, testBody), testBody, testKey, testSecret, "cognito-idp", signTime)
			},
		},
		{
			name: "valid, session token is signed along",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: "token"}
				if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hashHex(testBody), "cognito-idp", testRegion, signTime); err != nil {
					t.Fatal(err)
				}
				return r
			},
		},
		{
			name: "valid, header value with extra spaces",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				r.Header.Set("X-Custom", "  a   b  c ")
				return signed(t, r, testBody, testKey, testSecret, "cognito-idp", signTime)
			},
			mutate: func(r *http.Request) { r.Header.Set("X-Custom", "a b c") },
		},
		{name: "valid at the edge of the skew", req: std, verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(5 * time.Minute) } }},
		{name: "valid just before the skew ahead", req: std, verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(-5 * time.Minute) } }},
		{name: "tampered body", req: std, body: `{"UserPoolId":"us-east-1_example","Username":"mallory"}`, wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "tampered signed header", req: std, mutate: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminDeleteUser")
		}, wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "tampered host", req: std, mutate: func(r *http.Request) { r.Host = "evil.example.com" }, wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "tampered path", req: std, mutate: func(r *http.Request) { r.URL.Path = "/other" }, wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "tampered query", req: std, mutate: setQuery("x", "1"), wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "tampered method", req: std, mutate: func(r *http.Request) { r.Method = http.MethodPut }, wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "signature in upper case", req: std, mutate: func(r *http.Request) {
			h := r.Header.Get("Authorization")
			i := strings.Index(h, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", h[:i]+strings.ToUpper(h[i:]))
		}, wantType: TypeInvalidSignature, wantMsg: mismatch},
		{
			name: "wrong secret",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, "https://"+testHost+"/", testBody), testBody, testKey, "not-the-secret", "cognito-idp", signTime)
			},
			wantType: TypeInvalidSignature, wantMsg: mismatch,
		},
		{
			name: "unknown access key",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, "https://"+testHost+"/", testBody), testBody, "AKIDUNKNOWN", testSecret, "cognito-idp", signTime)
			},
			wantType: TypeUnrecognizedClient, wantMsg: "The security token included in the request is invalid.",
		},
		{name: "no credentials configured", req: std, verifier: func(v *Verifier) { v.Credentials = nil }, wantType: TypeUnrecognizedClient},
		{
			name: "scoped to another service",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, "https://"+testHost+"/", testBody), testBody, testKey, testSecret, "dynamodb", signTime)
			},
			wantType: TypeInvalidSignature, wantMsg: "Credential should be scoped to correct service: 'cognito-idp'. ",
		},
		{
			name:     "verifier for another service",
			req:      std,
			verifier: func(v *Verifier) { v.Service = "cognito-identity" },
			wantType: TypeInvalidSignature, wantMsg: "Credential should be scoped to correct service: 'cognito-identity'. ",
		},
		{
			name:     "scope date, terminator and region wrong at once",
			req:      std,
			mutate:   replaceAuth("/20240101/us-east-1/cognito-idp/aws4_request", "/20231231//cognito-idp/aws5_request"),
			wantType: TypeInvalidSignature,
			wantMsg: "Credential should be scoped to a valid region, not ''. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T000000Z'.",
		},
		{
			name:     "expired",
			req:      std,
			verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(10 * time.Minute) } },
			wantType: TypeInvalidSignature,
			wantMsg:  "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)",
		},
		{
			name:     "not yet current",
			req:      std,
			verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(-10 * time.Minute) } },
			wantType: TypeInvalidSignature,
			wantMsg:  "Signature not yet current: 20240101T000000Z is still later than 20231231T235500Z (20231231T235000Z + 5 min.)",
		},
		{
			name: "expired with a custom skew",
			req:  std,
			verifier: func(v *Verifier) {
				v.MaxSkew = 15 * time.Minute
				v.Now = func() time.Time { return signTime.Add(20*time.Minute + 500*time.Millisecond) }
			},
			wantType: TypeInvalidSignature,
			wantMsg:  "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)",
		},
		{name: "missing Authorization", req: std, mutate: func(r *http.Request) { r.Header.Del("Authorization") }, wantType: TypeMissingAuthenticationToken, wantMsg: "Missing Authentication Token"},
		{name: "other auth scheme", req: std, mutate: func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") }, wantType: TypeMissingAuthenticationToken, wantMsg: "Missing Authentication Token"},
		{
			name: "bare AWS4-",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				r.Header.Set("Authorization", "AWS4-")
				return r
			},
			wantType: TypeIncompleteSignature,
			wantMsg: "Authorization header requires 'Credential' parameter. " +
				"Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-",
		},
		{
			name: "missing Signature",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				r.Header.Set("X-Amz-Date", "20240101T000000Z")
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date")
				return r
			},
			wantType: TypeIncompleteSignature,
			wantMsg:  "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date",
		},
		{
			name:     "missing X-Amz-Date",
			req:      std,
			mutate:   func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			wantType: TypeIncompleteSignature,
		},
		{
			name: "key without equal sign",
			req:  std,
			mutate: func(r *http.Request) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders")
			},
			wantType: TypeIncompleteSignature,
			wantMsg:  "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Signature=b,    Credential,    SignedHeaders'.",
		},
		{
			name:     "malformed X-Amz-Date",
			req:      std,
			mutate:   func(r *http.Request) { r.Header.Set("X-Amz-Date", "2024-01-01T00:00:00Z") },
			wantType: TypeIncompleteSignature,
			wantMsg:  "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
		},
		{
			name:     "one-digit hour in X-Amz-Date",
			req:      std,
			mutate:   func(r *http.Request) { r.Header.Set("X-Amz-Date", "20240101T00000Z") },
			wantType: TypeIncompleteSignature,
		},
		{
			name: "Date header checked for skew",
			req:  std,
			mutate: func(r *http.Request) {
				r.Header.Del("X-Amz-Date")
				r.Header.Set("Date", "Mon, 01 Jan 2024 01:00:00 GMT")
			},
			wantType: TypeInvalidSignature,
			wantMsg:  "Signature not yet current: 20240101T010000Z is still later than 20240101T000500Z (20240101T000000Z + 5 min.)",
		},
		{
			name:     "host not signed",
			req:      std,
			mutate:   replaceAuth("SignedHeaders=content-length;content-type;host;", "SignedHeaders=content-length;content-type;"),
			wantType: TypeInvalidSignature,
			wantMsg:  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name:     "unsupported algorithm",
			req:      std,
			mutate:   replaceAuth("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA512 "),
			wantType: TypeIncompleteSignature,
			wantMsg:  "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
		},
		{
			name:     "credential with four elements",
			req:      std,
			mutate:   replaceAuth("/cognito-idp/aws4_request", "/cognito-idp"),
			wantType: TypeIncompleteSignature,
			wantMsg:  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240101/us-east-1/cognito-idp'",
		},
		{name: "trailing slash in credential ignored", req: std, mutate: replaceAuth("/aws4_request", "/aws4_request/")},
		{
			name:     "both header and query signature",
			req:      std,
			mutate:   func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" },
			wantType: TypeInvalidSignature,
			wantMsg:  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
		},
		{
			name: "declared payload hash",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				r.Header.Set("X-Amz-Content-Sha256", hashHex(testBody))
				return signed(t, r, testBody, testKey, testSecret, "cognito-idp", signTime)
			},
		},
		{
			name: "declared payload hash not the body's",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				r.Header.Set("X-Amz-Content-Sha256", hashHex("other"))
				return signed(t, r, "other", testKey, testSecret, "cognito-idp", signTime)
			},
			wantType: TypeInvalidSignature,
			wantMsg:  "The provided 'x-amz-content-sha256' header does not match what was computed.",
		},
		{
			name: "unsigned payload leaves the body out",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/", testBody)
				r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}
				if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "cognito-idp", testRegion, signTime); err != nil {
					t.Fatal(err)
				}
				return r
			},
		},
		{name: "presigned", req: func(t *testing.T) *http.Request { return presigned(t, "300") }, body: "-"},
		{name: "presigned without X-Amz-Expires", req: func(t *testing.T) *http.Request { return presigned(t, "") }, body: "-"},
		{
			name: "presigned, long expiry beyond the skew",
			req:  func(t *testing.T) *http.Request { return presigned(t, "3600") }, body: "-",
			verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(30 * time.Minute) } },
		},
		{
			name: "presigned, expired",
			req:  func(t *testing.T) *http.Request { return presigned(t, "300") }, body: "-",
			verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(10 * time.Minute) } },
			wantType: TypeInvalidSignature,
			wantMsg:  "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)",
		},
		{
			name: "presigned, expired after 90 s",
			req:  func(t *testing.T) *http.Request { return presigned(t, "90") }, body: "-",
			verifier: func(v *Verifier) { v.Now = func() time.Time { return signTime.Add(2 * time.Minute) } },
			wantType: TypeInvalidSignature,
			wantMsg:  "Signature expired: 20240101T000000Z is now earlier than 20240101T000030Z (20240101T000200Z - 90 sec.)",
		},
		{
			name: "presigned, X-Amz-Expires beyond a week",
			req:  func(t *testing.T) *http.Request { return presigned(t, "604801") }, body: "-",
			wantType: TypeIncompleteSignature,
		},
		{name: "presigned, tampered query", req: func(t *testing.T) *http.Request { return presigned(t, "300") }, body: "-", mutate: setQuery("MaxResults", "60"), wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "presigned, tampered expiry", req: func(t *testing.T) *http.Request { return presigned(t, "300") }, body: "-", mutate: setQuery("X-Amz-Expires", "600"), wantType: TypeInvalidSignature, wantMsg: mismatch},
		{name: "presigned, body added", req: func(t *testing.T) *http.Request { return presigned(t, "300") }, body: "{}", wantType: TypeInvalidSignature, wantMsg: mismatch},
		{
			name: "presigned, missing signature",
			req:  func(t *testing.T) *http.Request { return presigned(t, "300") }, body: "-",
			mutate:   setQuery("X-Amz-Signature", "\x00"),
			wantType: TypeIncompleteSignature,
			wantMsg:  "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
		},
		{
			name: "bare X-Amz-Algorithm query",
			req: func(t *testing.T) *http.Request {
				r := request(t, "https://"+testHost+"/?X-Amz-Algorithm", "")
				return r
			},
			wantType: TypeIncompleteSignature,
			wantMsg: "AWS query-string parameters must include 'X-Amz-Algorithm'. " +
				"AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. " +
				"Re-examine the query-string parameters.",
		},
		{
			name: "presigned for another service",
			req: func(t *testing.T) *http.Request {
				r := presigned(t, "300")
				q := r.URL.Query()
				q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), "cognito-idp", "sts", 1))
				r.URL.RawQuery = q.Encode()
				return r
			},
			body:     "-",
			wantType: TypeInvalidSignature,
			wantMsg:  "Credential should be scoped to correct service: 'cognito-idp'. ",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req(t)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			v := &Verifier{Credentials: testCredentials, Now: func() time.Time { return signTime }}
			if tt.verifier != nil {
				tt.verifier(v)
			}
			body := tt.body
			switch body {
			case "":
				body = testBody
			case "-":
				body = ""
			}
			id, err := v.Verify(r, []byte(body))
			if tt.wantType == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if *id != *okIdentity {
					t.Fatalf("identity = %+v, want %+v", id, okIdentity)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify = %v, %v; want *Error %s", id, err, tt.wantType)
			}
			if id != nil {
				t.Errorf("identity = %+v on error", id)
			}
			if e.Type != tt.wantType {
				t.Errorf("type = %s (%q), want %s", e.Type, e.Message, tt.wantType)
			}
			if tt.wantMsg != "" && e.Message != tt.wantMsg {
				t.Errorf("message\n got %q\nwant %q", e.Message, tt.wantMsg)
			}
			if strings.Contains(e.Message, testSecret) {
				t.Errorf("message leaks the secret: %q", e.Message)
			}
		})
	}
}

func TestVerifyLeavesBodyUnread(t *testing.T) {
	r := std(t)
	v := &Verifier{Credentials: testCredentials, Now: func() time.Time { return signTime }}
	if _, err := v.Verify(r, []byte(testBody)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != testBody {
		t.Fatalf("body after Verify = %q, %v; want %q", got, err, testBody)
	}
}

func TestVerifyDefaults(t *testing.T) {
	// Zero Service and MaxSkew mean cognito-idp and 5 minutes; nil Now is
	// the wall clock.
	r := signed(t, request(t, "https://"+testHost+"/", testBody), testBody, testKey, testSecret, "cognito-idp", time.Now().Add(-4*time.Minute))
	v := &Verifier{Credentials: testCredentials}
	if _, err := v.Verify(r, []byte(testBody)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	r = signed(t, request(t, "https://"+testHost+"/", testBody), testBody, testKey, testSecret, "cognito-idp", time.Now().Add(-6*time.Minute))
	var e *Error
	if _, err := v.Verify(r, []byte(testBody)); !errors.As(err, &e) || !strings.HasPrefix(e.Message, "Signature expired: ") {
		t.Fatalf("Verify six minutes late = %v, want Signature expired", err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		req      func(t *testing.T) *http.Request
		mutate   func(r *http.Request)
		want     *Identity
		wantType string
	}{
		{name: "header", req: std, want: &Identity{AccessKeyID: testKey, Region: testRegion, Service: "cognito-idp"}},
		{name: "presigned", req: func(t *testing.T) *http.Request { return presigned(t, "300") }, want: &Identity{AccessKeyID: testKey, Region: testRegion, Service: "cognito-idp"}},
		{
			name: "any key, any secret, any service, any date",
			req: func(t *testing.T) *http.Request {
				return signed(t, request(t, "https://"+testHost+"/", testBody), testBody, "AKIDANY", "whatever", "dynamodb", signTime.AddDate(-1, 0, 0))
			},
			want: &Identity{AccessKeyID: "AKIDANY", Region: testRegion, Service: "dynamodb"},
		},
		{name: "missing", req: std, mutate: func(r *http.Request) { r.Header.Del("Authorization") }, wantType: TypeMissingAuthenticationToken},
		{name: "incomplete", req: std, mutate: replaceAuth(", Signature=", ", Sig="), wantType: TypeIncompleteSignature},
		{name: "bad credential", req: std, mutate: replaceAuth("Credential=AKIDEXAMPLE/", "Credential="), wantType: TypeIncompleteSignature},
		{name: "empty access key", req: std, mutate: replaceAuth("Credential=AKIDEXAMPLE/", "Credential=/"), wantType: TypeUnrecognizedClient},
		{name: "bad algorithm", req: std, mutate: replaceAuth("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"), wantType: TypeIncompleteSignature},
		{name: "both", req: std, mutate: func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=" }, wantType: TypeInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req(t)
			if tt.mutate != nil {
				tt.mutate(r)
			}
			id, err := Parse(r)
			if tt.wantType != "" {
				var e *Error
				if !errors.As(err, &e) || e.Type != tt.wantType {
					t.Fatalf("Parse = %+v, %v; want %s", id, err, tt.wantType)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if *id != *tt.want {
				t.Fatalf("Parse = %+v, want %+v", id, tt.want)
			}
		})
	}
}

// TestCognitoClient points the real cognito-idp SDK client at a server that
// verifies its signatures, and checks that the SDK sees AWS's error types.
func TestCognitoClient(t *testing.T) {
	v := &Verifier{Credentials: testCredentials}
	var (
		mu   sync.Mutex
		seen []*Identity
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		id, err := v.Verify(r, body)
		var e *Error
		if errors.As(err, &e) {
			w.Header().Set("X-Amzn-Errortype", e.Type)
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if got := r.Header.Get("X-Amz-Target"); got != "AWSCognitoIdentityProviderService.ListUserPools" {
			t.Errorf("X-Amz-Target = %q", got)
		}
		mu.Lock()
		seen = append(seen, id)
		mu.Unlock()
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()

	tests := []struct {
		name, key, secret, token string
		wantType, wantMsg        string
	}{
		{name: "valid", key: testKey, secret: testSecret},
		{name: "valid with session token", key: testKey, secret: testSecret, token: "session"},
		{name: "wrong secret", key: testKey, secret: "wrong", wantType: TypeInvalidSignature,
			wantMsg: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{name: "unknown key", key: "AKIDUNKNOWN", secret: testSecret, wantType: TypeUnrecognizedClient, wantMsg: "The security token included in the request is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := cognitoidentityprovider.NewFromConfig(aws.Config{
				Region:           "eu-west-1",
				Credentials:      credentials.NewStaticCredentialsProvider(tt.key, tt.secret, tt.token),
				RetryMaxAttempts: 1,
			}, func(o *cognitoidentityprovider.Options) {
				o.BaseEndpoint = aws.String(srv.URL + "/")
			})
			_, err := client.ListUserPools(context.Background(), &cognitoidentityprovider.ListUserPoolsInput{MaxResults: aws.Int32(1)})
			if tt.wantType == "" {
				if err != nil {
					t.Fatalf("ListUserPools: %v", err)
				}
				mu.Lock()
				last := seen[len(seen)-1]
				mu.Unlock()
				want := Identity{AccessKeyID: tt.key, Region: "eu-west-1", Service: "cognito-idp"}
				if *last != want {
					t.Fatalf("identity = %+v, want %+v", last, want)
				}
				return
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("ListUserPools = %v, want API error %s", err, tt.wantType)
			}
			if apiErr.ErrorCode() != tt.wantType || apiErr.ErrorMessage() != tt.wantMsg {
				t.Fatalf("error = %s %q, want %s %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), tt.wantType, tt.wantMsg)
			}
		})
	}
}

func TestCanonicalPieces(t *testing.T) {
	paths := []struct{ in, want string }{
		{"/", "/"},
		{"", "/"},
		{"//", "/"},
		{"/example/..", "/"},
		{"/./", "/"},
		{"/example1/example2/../..", "/"},
		{"/a//b/./c/", "/a/b/c/"},
		{"/a/b/../c", "/a/c"},
	}
	for _, p := range paths {
		if got := normalizePath(p.in); got != p.want {
			t.Errorf("normalizePath(%q) = %q, want %q", p.in, got, p.want)
		}
	}
	if got, want := encodePath("/a%20b/ሴ"), "/a%2520b/%E1%88%B4"; got != want {
		t.Errorf("encodePath = %q, want %q", got, want)
	}
	q := parseQuery("b=2&a=1&a=0&sp=a+b&pct=%7E%2F&bare&=v;x")
	if got, want := canonicalQuery(q, false), "=v%3Bx&a=0&a=1&b=2&bare=&pct=~%2F&sp=a%20b"; got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(nil))
	r.Header["X-Multi"] = []string{"  a   b ", "c"}
	if got, want := headerValue(r, "x-multi"), "a b,c"; got != want {
		t.Errorf("headerValue = %q, want %q", got, want)
	}
	if got := r.Header["X-Multi"][0]; got != "  a   b " {
		t.Errorf("headerValue changed the request header to %q", got)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Type: TypeMissingAuthenticationToken, Message: "Missing Authentication Token"}
	if got := e.Error(); got != "MissingAuthenticationTokenException: Missing Authentication Token" {
		t.Fatal(got)
	}
}
