package cognitoidp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/tokens"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

// newTestHandler builds the API over a fresh SQLite store.
func newTestHandler(t testing.TB) *Handler {
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "fuzz.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pools := &userpool.Service{Store: st, Region: "us-east-1", Account: "000000000000"}
	us := &users.Service{Store: st, Pools: pools, Sender: messages.NewOutbox(10)}
	sealer, err := tokens.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &Handler{
		Pools: pools,
		Users: us,
		Auth: &auth.Service{Store: st, Pools: pools, Users: us, Keys: &tokens.Keyring{Store: st, Sealer: sealer},
			Issuer: func(id string) string { return "http://127.0.0.1:9229/" + id }},
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL: "http://127.0.0.1:9229",
	}
}

// call runs one request through the handler and returns status and body.
func call(h *Handler, target string, body []byte) (int, []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", targetPrefix+target)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

// FuzzDispatch feeds arbitrary bodies to every operation: whatever a caller
// sends must get a well-formed reply, a Cognito error rather than a 500, and
// never a panic or a hang.
func FuzzDispatch(f *testing.F) {
	ops := Operations()
	sort.Strings(ops)
	seeds := []string{
		``, `{}`, `[]`, `null`, `"x"`, `{"UserPoolId":1}`, `{"UserPoolId":"us-east-1_abc"}`,
		`{"PoolName":"p","Schema":[{"Name":"x","AttributeDataType":"Number","NumberAttributeConstraints":{"MinValue":"9","MaxValue":"1"}}]}`,
		`{"PoolName":"p","UsernameAttributes":["email"],"AliasAttributes":["email"]}`,
		`{"UserPoolId":"us-east-1_abc","Username":"u","UserAttributes":[{"Name":"custom:x","Value":"1"}]}`,
		`{"UserPoolId":"us-east-1_abc","Filter":"email ^= \"a\""}`,
		`{"UserPoolId":"us-east-1_abc","Limit":-1}`,
		`{"MaxResults":1,"NextToken":"!!!"}`,
		`{"ResourceArn":"arn:aws:cognito-idp:us-east-1:0:userpool/us-east-1_abc","Tags":{"":"x"}}`,
		`{"UserPoolId":"us-east-1_abc","ClientName":"c","AccessTokenValidity":-5,"TokenValidityUnits":{"AccessToken":"weeks"}}`,
		`{"PoolName":"p"}{"x":1}`,
		` `,
		`{"AuthFlow":"USER_SRP_AUTH","ClientId":"abc","AuthParameters":{"USERNAME":"u","SRP_A":"0"}}`,
		`{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"abc","ChallengeResponses":{"TIMESTAMP":"x"}}`,
		`{"AccessToken":"a.b.c"}`,
		`{"RefreshToken":"x","ClientId":"abc"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	h := newTestHandler(f)
	// A real pool so that bodies naming it reach deep validation.
	status, body := call(h, "CreateUserPool", []byte(`{"PoolName":"fuzz","Schema":[{"Name":"n","AttributeDataType":"Number"}]}`))
	if status != 200 {
		f.Fatalf("CreateUserPool: %d %s", status, body)
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := ops[int(opIndex)%len(ops)]
		status, reply := call(h, op, body)
		if status == http.StatusInternalServerError {
			t.Fatalf("%s %q: 500 %s", op, body, reply)
		}
		var v map[string]any
		if err := json.Unmarshal(reply, &v); err != nil {
			t.Fatalf("%s %q: reply is not a JSON object: %q", op, body, reply)
		}
		if status != http.StatusOK {
			if typ, _ := v["__type"].(string); typ == "" {
				t.Fatalf("%s %q: error reply without __type: %s", op, body, reply)
			}
		}
	})
}

func TestUnknownOperation(t *testing.T) {
	h := newTestHandler(t)
	status, body := call(h, "NoSuchThing", []byte(`{}`))
	if status != 400 || !bytes.Contains(body, []byte(`"UnknownOperationException"`)) {
		t.Fatalf("got %d %s", status, body)
	}
}
