package hostedui

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/userpool"
)

// TestPreview serves the pages for a look in a browser while working on the
// templates and CSS: COGITO_HOSTEDUI_PREVIEW=1 go test -run TestPreview -v
// ./internal/api/hostedui/ prints the URLs and serves for ten minutes.
func TestPreview(t *testing.T) {
	if os.Getenv("COGITO_HOSTEDUI_PREVIEW") == "" {
		t.Skip("set COGITO_HOSTEDUI_PREVIEW=1 to serve the pages")
	}
	in := emailRequired()
	in.Schema = append(in.Schema, userpool.SchemaAttribute{Name: "given_name", Required: ptr(true)},
		userpool.SchemaAttribute{Name: "birthdate", Required: ptr(true)})
	e := newEnv(t, in, nil)
	if css := os.Getenv("COGITO_HOSTEDUI_PREVIEW_CSS"); css != "" {
		ctx := context.Background()
		if _, err := e.h.Pools.CreateDomain(ctx, e.pool.ID, "preview-login", userpool.DomainInput{}); err != nil {
			t.Fatal(err)
		}
		var img []byte
		if p := os.Getenv("COGITO_HOSTEDUI_PREVIEW_LOGO"); p != "" {
			img, _ = os.ReadFile(p)
		}
		if _, err := e.h.Pools.SetUICustomization(ctx, e.pool.ID, userpool.UICustomizationInput{ClientID: "ALL", CSS: css, Image: img}); err != nil {
			t.Fatal(err)
		}
	}
	q := e.authQuery()
	for _, p := range []string{"login", "signup", "forgotPassword", "confirm", "confirmForgotPassword"} {
		fmt.Printf("%s%s\n", e.srv.URL, e.path(p, q))
	}
	fmt.Printf("%s%s\n", e.srv.URL, e.path("error", nil)+"?error=redirect_mismatch&error_description=The+redirect_uri+is+not+registered.")
	if f := os.Getenv("COGITO_HOSTEDUI_PREVIEW_URLS"); f != "" {
		out := ""
		for _, p := range []string{"login", "signup", "forgotPassword", "confirm", "confirmForgotPassword"} {
			out += e.srv.URL + e.path(p, q) + "\n"
		}
		_ = os.WriteFile(f, []byte(out), 0o644)
	}
	time.Sleep(10 * time.Minute)
}
