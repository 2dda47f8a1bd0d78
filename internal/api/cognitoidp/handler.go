package cognitoidp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cogito-idp/cogito/internal/auth"
	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/oauth"
	"github.com/cogito-idp/cogito/internal/userpool"
	"github.com/cogito-idp/cogito/internal/users"
)

const targetPrefix = "AWSCognitoIdentityProviderService."

// MaxBodyBytes bounds a request body. Cognito's largest requests (a pool
// with its schema and templates) are far below this.
const MaxBodyBytes = 1 << 20

// Handler serves the cognito-idp API.
type Handler struct {
	Pools *userpool.Service
	Users *users.Service
	Auth  *auth.Service
	OAuth *oauth.Service
	Log   *slog.Logger
	// PublicURL is the base of the pools' issuers; confirmation links point
	// under it ({PublicURL}/{poolId}/confirmUser).
	PublicURL string
	// Authenticate checks the SigV4 signature of a management call. Nil
	// accepts every caller (loopback development mode).
	Authenticate func(r *http.Request, body []byte) error
}

// operation is one API operation. Public operations are the ones end users
// call without IAM credentials (sign-up, sign-in, access-token calls).
type operation struct {
	public bool
	call   func(ctx context.Context, h *Handler, body []byte) (any, error)
}

// op adapts a typed handler to the dispatch table: the body is decoded once
// into Req, so every handler sees validated Go values.
func op[Req any](fn func(ctx context.Context, h *Handler, req *Req) (any, error)) operation {
	return operation{call: func(ctx context.Context, h *Handler, body []byte) (any, error) {
		req := new(Req)
		if err := decode(body, req); err != nil {
			return nil, err
		}
		return fn(ctx, h, req)
	}}
}

// publicOp is op for operations end users call unsigned.
func publicOp[Req any](fn func(ctx context.Context, h *Handler, req *Req) (any, error)) operation {
	o := op(fn)
	o.public = true
	return o
}

// operations is the dispatch table: X-Amz-Target → operation.
var operations = map[string]operation{}

func register(table map[string]operation) {
	for name, o := range table {
		if _, dup := operations[name]; dup {
			panic("cognitoidp: operation registered twice: " + name)
		}
		operations[name] = o
	}
}

// Operations lists the names of the implemented operations.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for name := range operations {
		out = append(out, name)
	}
	return out
}

func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errs.New("SerializationException", "Unexpected value for field %s: expected %s", te.Field, te.Type.String())
		}
		return errs.New("SerializationException", "Malformed request body: %s", jsonProblem(err))
	}
	if dec.More() {
		return errs.New("SerializationException", "Malformed request body: trailing data after the JSON object")
	}
	return nil
}

// jsonProblem describes a decoding failure without echoing the body, which
// may hold passwords.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at offset %d", se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of JSON input"
	}
	return "not a JSON object"
}

// ServeHTTP implements the AWS JSON 1.1 protocol.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	start := time.Now()
	target := r.Header.Get("X-Amz-Target")
	name := strings.TrimPrefix(target, targetPrefix)
	var status int
	defer func() {
		if p := recover(); p != nil {
			h.Log.Error("panic serving request", "op", name, "request_id", reqID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			status = writeError(w, &errs.Error{Type: errs.InternalError, Message: "An internal error occurred."})
		}
		h.Log.Debug("cognito-idp", "op", name, "status", status, "request_id", reqID, "duration", time.Since(start))
	}()

	if r.Method != http.MethodPost {
		status = writeError(w, errs.New("UnknownOperationException", "Only POST requests are supported."))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			status = writeErrorStatus(w, http.StatusRequestEntityTooLarge,
				errs.New("SerializationException", "Request body exceeds the limit of %d bytes.", MaxBodyBytes))
			return
		}
		status = writeError(w, errs.New("SerializationException", "Could not read the request body."))
		return
	}
	o, ok := operations[name]
	if !ok || !strings.HasPrefix(target, targetPrefix) {
		status = writeError(w, errs.New("UnknownOperationException", "Unknown operation %s", target))
		return
	}
	if !o.public && h.Authenticate != nil {
		if err := h.Authenticate(r, body); err != nil {
			status = h.fail(w, name, reqID, err)
			return
		}
	}
	out, err := o.call(r.Context(), h, body)
	if err != nil {
		status = h.fail(w, name, reqID, err)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		status = h.fail(w, name, reqID, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	status = http.StatusOK
}

// fail writes err: Cognito errors as 400s with their type; anything else is
// an internal fault, logged here and reported without detail.
func (h *Handler) fail(w http.ResponseWriter, op, reqID string, err error) int {
	if e, ok := errs.As(err); ok {
		return writeError(w, e)
	}
	var typed interface{ AWSErrorType() (string, string, int) }
	if errors.As(err, &typed) {
		t, m, st := typed.AWSErrorType()
		return writeErrorStatus(w, st, errs.New(t, "%s", m))
	}
	h.Log.Error("internal error", "op", op, "request_id", reqID, "err", err)
	return writeError(w, &errs.Error{Type: errs.InternalError, Message: "An internal error occurred."})
}

func writeError(w http.ResponseWriter, e *errs.Error) int {
	status := http.StatusBadRequest
	if e.Type == errs.InternalError {
		status = http.StatusInternalServerError
	}
	return writeErrorStatus(w, status, e)
}

func writeErrorStatus(w http.ResponseWriter, status int, e *errs.Error) int {
	b, _ := json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("x-amzn-ErrorType", e.Type)
	w.WriteHeader(status)
	w.Write(b)
	return status
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// epoch renders a time as AWS JSON does: seconds since the epoch, as a
// number with millisecond precision.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(fmt.Sprintf("%d.%03d", ms/1000, ms%1000)), nil
}

func required(field, v string) error {
	if v == "" {
		return errs.Param("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	return nil
}

// limit checks a MaxResults/Limit value against Cognito's range.
func limit(field string, v *int32, def, max int32, mustSet bool) (int, error) {
	if v == nil {
		if mustSet {
			return 0, errs.Param("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
		}
		return int(def), nil
	}
	if *v < 0 || *v > max || (mustSet && *v < 1) {
		return 0, errs.Param("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *v, field, max)
	}
	if *v == 0 {
		return int(def), nil
	}
	return int(*v), nil
}
