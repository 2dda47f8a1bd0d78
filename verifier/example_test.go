package verifier_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/cogito-idp/cogito/verifier"
)

// A service that accepts access tokens issued by a local Cogito pool to one app client,
// with the orders:read scope, and greets the caller by username.
func ExampleVerifier_Middleware() {
	v, err := verifier.New(verifier.Config{
		Issuer:    "http://127.0.0.1:9229/us-east-1_abc123",
		TokenUse:  "access",
		ClientIDs: []string{"5p0c2kd1hr3ogm2e6d5n0i4k3a"},
		Scopes:    []string{"orders/read"},
	})
	if err != nil {
		log.Fatal(err)
	}

	orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := verifier.ClaimsFrom(r.Context())
		fmt.Fprintf(w, "orders of %s\n", claims.Username)
	})

	mux := http.NewServeMux()
	mux.Handle("GET /orders", v.Middleware(orders))
	// http.ListenAndServe("127.0.0.1:8080", mux)
	_ = mux
}
