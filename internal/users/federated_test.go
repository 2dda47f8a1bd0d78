package users

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/federation"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/store/sqlstore"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// fakeInvoker records the trigger events it gets and answers with the
// event itself (an empty response), or with fail's error for a source.
type fakeInvoker struct {
	mu     sync.Mutex
	events []map[string]any
	fail   map[string]error
}

func (f *fakeInvoker) Invoke(_ context.Context, _ string, payload []byte) ([]byte, error) {
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, ev)
	if err := f.fail[ev["triggerSource"].(string)]; err != nil {
		return nil, err
	}
	return payload, nil
}

func (f *fakeInvoker) sources() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.events))
	for _, ev := range f.events {
		out = append(out, ev["triggerSource"].(string))
	}
	return out
}

func (f *fakeInvoker) reset() {
	f.mu.Lock()
	f.events = nil
	f.mu.Unlock()
}

func (f *fakeInvoker) last() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.events[len(f.events)-1]
}

type fedEnv struct {
	svc    *Service
	st     store.Store
	inv    *fakeInvoker
	pool   *userpool.Pool
	client string
	oidc   *userpool.IdentityProvider
	google *userpool.IdentityProvider
}

func newFedEnv(t *testing.T, caseSensitive bool) *fedEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "fed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	pools := &userpool.Service{Store: st, Region: "us-east-1", Account: "000000000000", Now: clk.Now}
	inv := &fakeInvoker{fail: map[string]error{}}
	svc := &Service{Store: st, Pools: pools, Sender: messages.NewOutbox(10), Triggers: inv, Now: clk.Now}
	cfg := userpool.Config{LambdaConfig: &userpool.LambdaConfig{PreSignUp: "arn:aws:lambda:us-east-1:1:function:pre",
		PostConfirmation: "arn:aws:lambda:us-east-1:1:function:post", PostAuthentication: "arn:aws:lambda:us-east-1:1:function:auth"}}
	if !caseSensitive {
		cfg.UsernameConfiguration = &userpool.UsernameConfiguration{CaseSensitive: new(bool)}
	}
	pool, err := pools.CreatePool(ctx, userpool.PoolInput{PoolName: "fed", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	c, err := pools.CreateClient(ctx, pool.ID, userpool.ClientInput{ClientName: "app"})
	if err != nil {
		t.Fatal(err)
	}
	oidc, err := pools.CreateIdentityProvider(ctx, pool.ID, userpool.IdentityProviderInput{ProviderName: "MyOIDC", ProviderType: "OIDC",
		ProviderDetails: map[string]string{"client_id": "cid", "client_secret": "s", "attributes_request_method": "GET",
			"oidc_issuer": "https://op.example", "authorize_scopes": "openid email"},
		AttributeMapping: map[string]string{"email": "email", "email_verified": "email_verified", "name": "name"}})
	if err != nil {
		t.Fatal(err)
	}
	google, err := pools.CreateIdentityProvider(ctx, pool.ID, userpool.IdentityProviderInput{ProviderName: "Google", ProviderType: "Google",
		ProviderDetails:  map[string]string{"client_id": "gid", "client_secret": "gs", "authorize_scopes": "openid email"},
		AttributeMapping: map[string]string{"email": "email"}})
	if err != nil {
		t.Fatal(err)
	}
	if pool, err = pools.GetPool(ctx, pool.ID); err != nil {
		t.Fatal(err)
	}
	return &fedEnv{svc: svc, st: st, inv: inv, pool: pool, client: c.ID, oidc: oidc, google: google}
}

func oidcIdentity(sub string, claims map[string]any) *federation.Identity {
	return &federation.Identity{ProviderName: "MyOIDC", ProviderType: "OIDC", Subject: sub, Claims: claims}
}

func TestFederatedFirstAndLaterSignIn(t *testing.T) {
	e := newFedEnv(t, false)
	ctx := context.Background()
	id := oidcIdentity("AbC-123", map[string]any{"email": "Ann@Example.com", "email_verified": true, "name": "Ann"})
	u, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.oidc, id)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "MyOIDC_AbC-123" || u.Status != StatusExternalProvider || !u.Enabled || u.Password != nil {
		t.Fatalf("user = %+v", u)
	}
	if u.Attributes["email"] != "Ann@Example.com" || u.Attributes["email_verified"] != "true" || u.Attributes["name"] != "Ann" {
		t.Errorf("attributes = %v", u.Attributes)
	}
	var ids []map[string]any
	if err := json.Unmarshal([]byte(u.Attributes["identities"]), &ids); err != nil || len(ids) != 1 ||
		ids[0]["userId"] != "AbC-123" || ids[0]["providerName"] != "MyOIDC" || ids[0]["providerType"] != "OIDC" || ids[0]["primary"] != true {
		t.Errorf("identities = %s (%v)", u.Attributes["identities"], err)
	}
	if got := strings.Join(e.inv.sources(), ","); got != "PreSignUp_ExternalProvider,PostConfirmation_ConfirmSignUp" {
		t.Errorf("triggers = %s", got)
	}
	pre := e.inv.events[0]
	if pre["userName"] != "MyOIDC_AbC-123" || pre["callerContext"].(map[string]any)["clientId"] != e.client {
		t.Errorf("pre sign-up event = %v", pre)
	}
	post := e.inv.last()["request"].(map[string]any)["userAttributes"].(map[string]any)
	if post["cognito:user_status"] != "EXTERNAL_PROVIDER" || post["sub"] != u.Sub || post["identities"] == nil {
		t.Errorf("post confirmation attributes = %v", post)
	}
	g, err := e.st.GetGroup(ctx, e.pool.ID, e.pool.ID+"_MyOIDC")
	if err != nil || g.Description != "Autogenerated group for users who sign in using MyOIDC" {
		t.Fatalf("group = %+v, %v", g, err)
	}
	members, _, err := e.st.ListUsersInGroup(ctx, e.pool.ID, g.Name, store.Page{Limit: 10})
	if err != nil || len(members) != 1 || members[0].Sub != u.Sub {
		t.Errorf("members = %v, %v", members, err)
	}

	// Later sign-in: mapped attributes follow the provider, identities
	// stay, PostAuthentication runs instead of the sign-up triggers.
	e.inv.reset()
	id2 := oidcIdentity("AbC-123", map[string]any{"email": "ann@new.example", "email_verified": false, "name": "Ann B"})
	u2, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.oidc, id2)
	if err != nil {
		t.Fatal(err)
	}
	if u2.Sub != u.Sub || u2.Attributes["email"] != "ann@new.example" || u2.Attributes["email_verified"] != "false" ||
		u2.Attributes["name"] != "Ann B" || u2.Attributes["identities"] != u.Attributes["identities"] {
		t.Errorf("later user = %+v", u2)
	}
	if got := strings.Join(e.inv.sources(), ","); got != "PostAuthentication_Authentication" {
		t.Errorf("later triggers = %s", got)
	}
	ev := e.inv.last()
	if ev["userName"] != "MyOIDC_AbC-123" || ev["request"].(map[string]any)["userAttributes"].(map[string]any)["name"] != "Ann B" {
		t.Errorf("post authentication event = %v", ev)
	}

	// Disabled users cannot sign in.
	if err := e.svc.SetEnabled(ctx, e.pool.ID, u.Username, false); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.FederatedSignIn(ctx, e.pool, e.client, e.oidc, id2)
	if !errs.Is(err, errs.NotAuthorized) || !strings.Contains(err.Error(), "User is disabled.") {
		t.Errorf("disabled sign-in: %v", err)
	}

	// Deleted, then back: a fresh user.
	if err := e.svc.AdminDeleteUser(ctx, e.pool.ID, u.Username); err != nil {
		t.Fatal(err)
	}
	u3, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.oidc, id2)
	if err != nil {
		t.Fatal(err)
	}
	if u3.Sub == u.Sub || u3.Username != u.Username || u3.Status != StatusExternalProvider {
		t.Errorf("returning user = %+v", u3)
	}
}

func TestFederatedPreSignUpFailureCreatesNothing(t *testing.T) {
	e := newFedEnv(t, true)
	ctx := context.Background()
	e.inv.fail["PreSignUp_ExternalProvider"] = errs.New("UserLambdaValidationException", "PreSignUp failed with error no.")
	_, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.google, &federation.Identity{ProviderName: "Google", Subject: "999"})
	if !errs.Is(err, "UserLambdaValidationException") {
		t.Fatalf("err = %v", err)
	}
	if _, err := e.st.GetUser(ctx, e.pool.ID, "Google_999"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user after refused sign-up: %v", err)
	}
	if _, err := e.st.GetGroup(ctx, e.pool.ID, e.pool.ID+"_Google"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("group after refused sign-up: %v", err)
	}
}

func TestFederatedBadMappedValue(t *testing.T) {
	e := newFedEnv(t, true)
	_, err := e.svc.FederatedSignIn(context.Background(), e.pool, e.client, e.oidc,
		oidcIdentity("x", map[string]any{"email_verified": "perhaps"}))
	if !errs.Is(err, errs.InvalidParameter) || !strings.Contains(err.Error(), "email_verified") {
		t.Fatalf("err = %v", err)
	}
	if len(e.inv.sources()) != 0 {
		t.Errorf("triggers ran: %v", e.inv.sources())
	}
}

func TestFederatedLinking(t *testing.T) {
	e := newFedEnv(t, false)
	ctx := context.Background()
	native, err := e.svc.AdminCreateUser(ctx, e.pool.ID, CreateInput{Username: "Bob", MessageAction: "SUPPRESS"})
	if err != nil {
		t.Fatal(err)
	}
	dest := &ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "bob"}
	src := &ProviderUser{ProviderName: "Google", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "g-1"}
	if err := e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, dest, src); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, dest, src); err != nil {
		t.Fatalf("linking again: %v", err)
	}
	_, got, _ := e.svc.Get(ctx, e.pool.ID, "Bob")
	if !hasIdentity(got.Attributes, "Google", "g-1") || got.Aliases["identity:Google"] != "g-1" {
		t.Fatalf("linked user = %+v", got)
	}

	// The identity signs in as Bob, whose mapped attributes it updates.
	e.inv.reset()
	u, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.google,
		&federation.Identity{ProviderName: "Google", Subject: "g-1", Claims: map[string]any{"email": "bob@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Sub != native.Sub || u.Attributes["email"] != "bob@example.com" || u.Status != StatusForceChangePassword {
		t.Errorf("signed in as %+v", u)
	}
	if got := strings.Join(e.inv.sources(), ","); got != "PostAuthentication_Authentication" {
		t.Errorf("triggers = %s", got)
	}
	if _, err := e.st.GetUser(ctx, e.pool.ID, "google_g-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a federated user was created: %v", err)
	}

	// The same identity cannot go to a second user.
	if _, err := e.svc.AdminCreateUser(ctx, e.pool.ID, CreateInput{Username: "carl", MessageAction: "SUPPRESS"}); err != nil {
		t.Fatal(err)
	}
	err = e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, &ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "carl"}, src)
	if !errs.Is(err, errs.AliasExists) {
		t.Errorf("second link: %v", err)
	}
	// Unknown destination, native source, unknown provider.
	err = e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, &ProviderUser{ProviderName: "Cognito", ProviderAttributeValue: "nobody"}, src)
	if !errs.Is(err, errs.UserNotFound) {
		t.Errorf("unknown destination: %v", err)
	}
	err = e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, dest, &ProviderUser{ProviderName: "Cognito", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "carl"})
	if !errs.Is(err, errs.InvalidParameter) {
		t.Errorf("native source: %v", err)
	}
	err = e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, dest, &ProviderUser{ProviderName: "Nope", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "1"})
	if !errs.Is(err, errs.ResourceNotFound) {
		t.Errorf("unknown provider: %v", err)
	}

	// An identity that signed in already cannot be linked.
	if _, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.oidc, oidcIdentity("o-1", nil)); err != nil {
		t.Fatal(err)
	}
	err = e.svc.AdminLinkProviderForUser(ctx, e.pool.ID, dest, &ProviderUser{ProviderName: "MyOIDC", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "o-1"})
	if !errs.Is(err, errs.InvalidParameter) || !strings.Contains(err.Error(), "Merging is not currently supported") {
		t.Errorf("linking a signed-up identity: %v", err)
	}

	// Aliases survive attribute updates.
	if _, err := e.svc.AdminUpdateUserAttributes(ctx, e.pool.ID, "bob", []Attribute{{Name: "name", Value: "Bobby"}}); err != nil {
		t.Fatal(err)
	}
	if _, got, _ = e.svc.Get(ctx, e.pool.ID, "bob"); got.Aliases["identity:Google"] != "g-1" {
		t.Errorf("aliases after update = %v", got.Aliases)
	}

	// Unlinking: the identity gets a user of its own.
	if err := e.svc.AdminDisableProviderForUser(ctx, e.pool.ID, src); err != nil {
		t.Fatal(err)
	}
	_, got, _ = e.svc.Get(ctx, e.pool.ID, "bob")
	if _, ok := got.Attributes["identities"]; ok || got.Aliases["identity:Google"] != "" {
		t.Errorf("after unlink = %+v", got)
	}
	u, err = e.svc.FederatedSignIn(ctx, e.pool, e.client, e.google, &federation.Identity{ProviderName: "Google", Subject: "g-1"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Sub == native.Sub || u.Username != "Google_g-1" || u.Status != StatusExternalProvider {
		t.Errorf("after unlink signed in as %+v", u)
	}

	// Disabling a federated user's own identity disables the user.
	if err := e.svc.AdminDisableProviderForUser(ctx, e.pool.ID, src); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FederatedSignIn(ctx, e.pool, e.client, e.google, &federation.Identity{ProviderName: "Google", Subject: "g-1"}); !errs.Is(err, errs.NotAuthorized) {
		t.Errorf("disabled identity: %v", err)
	}
	// Disabling the Cognito provider of a native user removes the password.
	if err := e.svc.AdminDisableProviderForUser(ctx, e.pool.ID, &ProviderUser{ProviderName: "Cognito", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "bob"}); err != nil {
		t.Fatal(err)
	}
	if _, got, _ = e.svc.Get(ctx, e.pool.ID, "bob"); got.Password != nil {
		t.Errorf("password kept")
	}
	if err := e.svc.AdminDisableProviderForUser(ctx, e.pool.ID, &ProviderUser{ProviderName: "Google", ProviderAttributeName: "Cognito_Subject", ProviderAttributeValue: "none"}); !errs.Is(err, errs.UserNotFound) {
		t.Errorf("unknown identity: %v", err)
	}
}

func TestIdentityHelpers(t *testing.T) {
	v := `[{"userId":"1","providerName":"A","x":1},{"userId":2,"providerName":"B"}]`
	out := map[string]string{}
	addIdentityAliases(map[string]string{"identities": v}, out)
	if out["identity:A"] != "1" || out["identity:B"] != "2" {
		t.Errorf("aliases = %v", out)
	}
	addIdentityAliases(map[string]string{"identities": "not json"}, out)
	got, removed, err := removeIdentity(v, "B", "2")
	if err != nil || !removed || got != `[{"userId":"1","providerName":"A","x":1}]` {
		t.Errorf("removeIdentity = %s %v %v", got, removed, err)
	}
	if got, removed, _ := removeIdentity(got, "A", "1"); !removed || got != "" {
		t.Errorf("removing the last = %q %v", got, removed)
	}
}
