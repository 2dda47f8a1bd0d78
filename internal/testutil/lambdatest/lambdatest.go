// Package lambdatest is an AWS Lambda Invoke API for tests: an in-process
// server that verifies SigV4 (service lambda), routes
// POST /2015-03-31/functions/{name}/invocations by function name and runs Go
// functions written like Cognito triggers: they take the event and return
// it with its response filled in, or fail as a Lambda function fails.
package lambdatest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cogito-idp/cogito/internal/sigv4"
)

// Credentials the server accepts; give them to Cogito as
// server.Options.LambdaAccessKeyID and LambdaSecretAccessKey.
const (
	AccessKeyID     = "AKIDLAMBDATEST000001"
	SecretAccessKey = "lambdatestSecretKey/abcdefghijklmnopqrstu"
)

// Event is a trigger event as a function sees it.
type Event = map[string]any

// Func is a trigger function: it returns the event with "response" set, or
// an error (reported as an unhandled function error with its message).
type Func func(ev Event) (Event, error)

// Server is the Invoke API.
type Server struct {
	URL string

	mu    sync.Mutex
	funcs map[string]Func
	calls map[string][]Event
}

// Start runs a server for the test.
func Start(t testing.TB) *Server {
	s := &Server{funcs: map[string]Func{}, calls: map[string][]Event{}}
	v := &sigv4.Verifier{Service: "lambda", Credentials: func(id string) (string, bool) {
		return SecretAccessKey, id == AccessKeyID
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := v.Verify(r, body); err != nil {
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": err.Error()})
			return
		}
		name, ok := functionName(r.URL.Path)
		s.mu.Lock()
		fn := s.funcs[name]
		s.mu.Unlock()
		if !ok || fn == nil {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": "Function not found: " + name})
			return
		}
		var ev Event
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.calls[name] = append(s.calls[name], ev)
		s.mu.Unlock()
		out, err := fn(ev)
		if err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Error"})
			return
		}
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func functionName(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/2015-03-31/functions/")
	if !ok {
		return "", false
	}
	name, ok := strings.CutSuffix(rest, "/invocations")
	return name, ok && name != ""
}

// Handle installs the function named name (the last part of its ARN).
func (s *Server) Handle(name string, fn Func) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.funcs[name] = fn
}

// Calls returns the events the function received, oldest first.
func (s *Server) Calls(name string) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.calls[name]...)
}

// ARN is the function ARN to put in a pool's LambdaConfig.
func ARN(name string) string { return "arn:aws:lambda:us-east-1:123456789012:function:" + name }

// Response returns the event's response object, creating it.
func Response(ev Event) map[string]any {
	r, _ := ev["response"].(map[string]any)
	if r == nil {
		r = map[string]any{}
		ev["response"] = r
	}
	return r
}

// Request returns the event's request object.
func Request(ev Event) map[string]any {
	r, _ := ev["request"].(map[string]any)
	return r
}
