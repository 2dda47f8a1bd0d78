package server_test

// The seeds' user migration story, end to end ("Migrating Users with AWS
// Lambda" and its example migration function): a legacy user service knows
// a user Cognito does not; the pool's UserMigration function, written like
// the seed's, authenticates the user against that service with the name and
// password typed at sign-in and returns the user's attributes (email,
// email_verified and the legacy id as custom:legacy_id), CONFIRMED and
// SUPPRESS. Cognito creates the user and returns tokens; later sign-ins
// find the user and no longer call the function.
//
// What a failed legacy sign-in gives, per the Cognito Developer Guide and
// the re:Post knowledge-center article on migration trigger errors:
//   - a function that throws (the guide's Node.js example throws "Bad
//     password") fails the call like any failed trigger:
//     UserLambdaValidationException "UserMigration failed with error Bad
//     password.";
//   - a function that returns no user (the seed's Python returns None) gives
//     UserNotFoundException "Exception migrating user in app client <id>",
//     and, on a client with PreventUserExistenceErrors ENABLED, the
//     simulated answer for unknown users: NotAuthorizedException "Incorrect
//     username or password." (the guide: "With user migration Lambda
//     trigger, Cognito will return a simulated response for non existing
//     users when an empty response was returned by the Lambda trigger").
// USER_SRP_AUTH never migrates: SRP does not send the password ("your app
// must not use the default USER_SRP_AUTH flow since the SDK does not send
// the password to the server"); once migrated, the user signs in with SRP.

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/lambdatest"
)

// legacyAccount is a user of the legacy user service.
type legacyAccount struct{ password, id, email string }

// legacyService is the legacy system's sign-in API: POST /authenticate
// {"username","password"} answers 200 {"id","email"} or 401.
type legacyService struct {
	URL string

	mu    sync.Mutex
	calls map[string]int // by username: subtests share the service
}

// callsFor is how many sign-ins of username the service has answered.
func (ls *legacyService) callsFor(username string) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.calls[username]
}

func startLegacyService(t *testing.T, accounts map[string]legacyAccount) *legacyService {
	t.Helper()
	ls := &legacyService{calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/authenticate" {
			http.NotFound(w, r)
			return
		}
		var in struct{ Username, Password string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ls.mu.Lock()
		ls.calls[in.Username]++
		ls.mu.Unlock()
		a, ok := accounts[in.Username]
		if !ok || a.password != in.Password {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid credentials"})
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"id": a.id, "email": a.email})
	}))
	t.Cleanup(srv.Close)
	ls.URL = srv.URL
	return ls
}

// legacyMigrator is the seed's migration function: on
// UserMigration_Authentication it signs the user in to the legacy service
// with event.userName and event.request.password and, when that works,
// returns the user (email verified, the legacy id as custom:legacy_id),
// CONFIRMED, with the welcome message suppressed. When the legacy service
// refuses, it throws "Bad password" (throw true, as the guide's example) or
// returns null (throw false, as the seed's Python returns None). Other
// trigger sources get null, as in the seed.
func legacyMigrator(legacyURL string, throw bool) lambdatest.Func {
	return func(ev lambdatest.Event) (lambdatest.Event, error) {
		if ev["triggerSource"] != "UserMigration_Authentication" {
			return nil, nil
		}
		name, _ := ev["userName"].(string)
		pw, _ := lambdatest.Request(ev)["password"].(string)
		body, _ := json.Marshal(map[string]string{"username": name, "password": pw})
		resp, err := http.Post(legacyURL+"/authenticate", "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			if throw {
				return nil, errors.New("Bad password")
			}
			return nil, nil
		}
		var legacy struct{ ID, Email string }
		if err := json.NewDecoder(resp.Body).Decode(&legacy); err != nil {
			return nil, err
		}
		r := lambdatest.Response(ev)
		r["userAttributes"] = map[string]any{
			"email":            legacy.Email,
			"email_verified":   "true",
			"custom:legacy_id": legacy.ID,
		}
		r["finalUserStatus"] = "CONFIRMED"
		r["messageAction"] = "SUPPRESS"
		return ev, nil
	}
}

// migrationPool makes a pool with a legacy_id custom attribute and the
// migrate user function fn, and a client that signs in with passwords and
// SRP; prevent sets the client's PreventUserExistenceErrors.
func migrationPool(t *testing.T, c *cip.Client, fn string, prevent types.PreventUserExistenceErrorTypes) (pool, client string) {
	t.Helper()
	pool = newPool(t, c, &cip.CreateUserPoolInput{
		LambdaConfig: &types.LambdaConfigType{UserMigration: aws.String(lambdatest.ARN(fn))},
		Schema: []types.SchemaAttributeType{{Name: aws.String("legacy_id"),
			AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}},
	})
	client, _ = authClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: prevent})
	return pool, client
}

// wantNoUser asserts the pool has no user name.
func wantNoUser(t *testing.T, c *cip.Client, pool, name string) {
	t.Helper()
	_, err := c.AdminGetUser(t.Context(), &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)})
	wantErr[*types.UserNotFoundException](t, err, "AdminGetUser "+name+" after a refused migration")
}

func TestMigrationStory(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		env, lt := startWithLambda(t, opts)
		c := env.Client
		const (
			// Below the pool's default policy (no capital, no symbol): the
			// guide says a migrated password is accepted all the same.
			adaPassword = "legacy55"
			bobPassword = "bobs-0ld-Secret!"
		)
		legacy := startLegacyService(t, map[string]legacyAccount{
			"ada":   {password: adaPassword, id: "L-1001", email: "ada@legacy.example"},
			"bob":   {password: bobPassword, id: "L-1002", email: "bob@legacy.example"},
			"carol": {password: goodPassword, id: "L-1003", email: "carol@legacy.example"},
		})

		t.Run("SignInMigrates", func(t *testing.T) {
			t.Parallel()
			fn := uniq("migrate")
			lt.Handle(fn, legacyMigrator(legacy.URL, true))
			pool, client := migrationPool(t, c, fn, "")

			out, err := c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client),
				AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": adaPassword},
				ClientMetadata: map[string]string{"app": "cms"}})
			must(t, err, "InitiateAuth USER_PASSWORD_AUTH of the unknown legacy user")
			res := out.AuthenticationResult
			if res == nil || aws.ToString(res.IdToken) == "" || aws.ToString(res.AccessToken) == "" || aws.ToString(res.RefreshToken) == "" {
				t.Fatalf("migrating sign-in: challenge %q, result %+v; want tokens", out.ChallengeName, res)
			}

			calls := lt.Calls(fn)
			if len(calls) != 1 {
				t.Fatalf("UserMigration calls: %d, want 1", len(calls))
			}
			ev := calls[0]
			checkEnvelope(t, ev, "UserMigration_Authentication", pool, client, "ada")
			checkFields(t, ev, map[string]any{"request.password": adaPassword, "request.validationData.app": "cms"})
			if n := legacy.callsFor("ada"); n != 1 {
				t.Fatalf("the function asked the legacy service about ada %d times, want 1", n)
			}

			id := claimsOf(t, aws.ToString(res.IdToken))
			if id["cognito:username"] != "ada" || id["email"] != "ada@legacy.example" || id["custom:legacy_id"] != "L-1001" ||
				id["email_verified"] != true {
				t.Errorf("ID token of the migrated user: %v", id)
			}

			u, attrs := utGetUser(t, c, pool, "ada")
			if u.UserStatus != types.UserStatusTypeConfirmed || !u.Enabled {
				t.Errorf("migrated user: status %s, enabled %v; want CONFIRMED, enabled", u.UserStatus, u.Enabled)
			}
			if attrs["custom:legacy_id"] != "L-1001" || attrs["email"] != "ada@legacy.example" || attrs["email_verified"] != "true" ||
				attrs["sub"] == "" {
				t.Errorf("migrated user's attributes: %v", attrs)
			}
			// messageAction SUPPRESS: no welcome message, by name or address.
			for _, who := range []string{"ada", "ada@legacy.example"} {
				if msgs := env.Outbox(t, who, pool); len(msgs) != 0 {
					t.Errorf("outbox for %s holds %d messages after a SUPPRESS migration: %+v", who, len(msgs), msgs)
				}
			}

			// The second sign-in finds the user: neither the function nor
			// the legacy service is asked again.
			legacyBefore := legacy.callsFor("ada")
			signIn(t, c, client, "ada", adaPassword)
			if n := len(lt.Calls(fn)); n != 1 {
				t.Errorf("UserMigration calls after the second sign-in: %d, want still 1", n)
			}
			if n := legacy.callsFor("ada"); n != legacyBefore {
				t.Errorf("legacy service called %d more times on the second sign-in", n-legacyBefore)
			}
			// The password is Cognito's now: a wrong one is refused there,
			// without the function.
			_, err = passwordAuth(t, c, client, "ada", "not-"+adaPassword)
			wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "migrated user, wrong password")
			if n := len(lt.Calls(fn)); n != 1 {
				t.Errorf("a wrong password of a migrated user called UserMigration (%d calls)", n)
			}
			// And the migrated password has an SRP verifier: the
			// recommended flow after migration works.
			r, err := srpAuth(t, c, pool, client, "ada", adaPassword)
			must(t, err, "USER_SRP_AUTH of the migrated user")
			if r.AuthenticationResult == nil {
				t.Errorf("SRP sign-in of the migrated user: challenge %q, want tokens", r.ChallengeName)
			}
			// AdminInitiateAuth finds the user too.
			if _, err := c.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool),
				ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": adaPassword}}); err != nil {
				t.Errorf("ADMIN_USER_PASSWORD_AUTH of the migrated user: %s", describeErr(err))
			}
			if n := len(lt.Calls(fn)); n != 1 {
				t.Errorf("UserMigration calls at the end: %d, want 1", n)
			}
		})

		t.Run("AdminSignInMigrates", func(t *testing.T) {
			t.Parallel()
			fn := uniq("migrate")
			lt.Handle(fn, legacyMigrator(legacy.URL, true))
			pool, client := migrationPool(t, c, fn, "")
			out, err := c.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool),
				ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": bobPassword}})
			must(t, err, "ADMIN_USER_PASSWORD_AUTH of the unknown legacy user")
			if out.AuthenticationResult == nil {
				t.Fatalf("admin migrating sign-in: challenge %q, want tokens", out.ChallengeName)
			}
			if calls := lt.Calls(fn); len(calls) != 1 || calls[0]["triggerSource"] != "UserMigration_Authentication" {
				t.Fatalf("UserMigration calls: %v", calls)
			}
			if u, attrs := utGetUser(t, c, pool, "bob"); u.UserStatus != types.UserStatusTypeConfirmed || attrs["custom:legacy_id"] != "L-1002" {
				t.Errorf("admin-migrated user: %s, %v", u.UserStatus, attrs)
			}
		})

		t.Run("WrongLegacyPasswordThrows", func(t *testing.T) {
			t.Parallel()
			fn := uniq("migrate")
			lt.Handle(fn, legacyMigrator(legacy.URL, true))
			pool, client := migrationPool(t, c, fn, "")

			// bob is a legacy user, but not with this password; dave is not
			// one at all. The function throws for both.
			for _, name := range []string{"bob", "dave"} {
				_, err := passwordAuth(t, c, client, name, "Wrong-Passw0rd!")
				wantMsg[*types.UserLambdaValidationException](t, err, "UserMigration failed with error Bad password.",
					"sign-in of "+name+" with a password the legacy service refuses")
				wantNoUser(t, c, pool, name)
			}
			if n := len(lt.Calls(fn)); n != 2 {
				t.Errorf("UserMigration calls: %d, want 2", n)
			}
			// The function's failure is not sticky: the right legacy
			// password then migrates bob.
			signIn(t, c, client, "bob", bobPassword)
			if u, _ := utGetUser(t, c, pool, "bob"); u.UserStatus != types.UserStatusTypeConfirmed {
				t.Errorf("bob after the right password: %s", u.UserStatus)
			}
		})

		t.Run("WrongLegacyPasswordNoUser", func(t *testing.T) {
			t.Parallel()
			// The seed's function returns None when the legacy sign-in fails.
			fn := uniq("migrate")
			lt.Handle(fn, legacyMigrator(legacy.URL, false))
			pool, client := migrationPool(t, c, fn, types.PreventUserExistenceErrorTypesLegacy)
			_, err := passwordAuth(t, c, client, "bob", "Wrong-Passw0rd!")
			wantMsg[*types.UserNotFoundException](t, err, "Exception migrating user in app client "+client,
				"function without a user, LEGACY client")
			wantNoUser(t, c, pool, "bob")

			hidden, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("hidden"),
				PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
			_, err = passwordAuth(t, c, hidden, "bob", "Wrong-Passw0rd!")
			wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.",
				"function without a user, PreventUserExistenceErrors ENABLED")
			wantNoUser(t, c, pool, "bob")
			if n := len(lt.Calls(fn)); n != 2 {
				t.Errorf("UserMigration calls: %d, want 2", n)
			}
			// And with the right password the seed's function migrates on
			// the ENABLED client too.
			signIn(t, c, hidden, "bob", bobPassword)
		})

		t.Run("SRPNeverMigrates", func(t *testing.T) {
			t.Parallel()
			fn := uniq("migrate")
			lt.Handle(fn, legacyMigrator(legacy.URL, true))
			pool, client := migrationPool(t, c, fn, "")
			hidden, _ := authClient(t, c, pool, &cip.CreateUserPoolClientInput{ClientName: aws.String("hidden"),
				PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})

			// carol is a legacy user, but SRP carries no password to check.
			sc := newSRPClient(pool)
			_, err := c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client),
				AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "carol", "SRP_A": sc.AHex()}})
			wantErr[*types.UserNotFoundException](t, err, "USER_SRP_AUTH of an unknown (legacy) user, LEGACY client")

			// With PreventUserExistenceErrors, Cognito answers a challenge
			// for a made-up user and fails the verifier; either way nothing
			// migrates.
			if _, err := srpAuthAny(t, c, pool, hidden, "carol", goodPassword); err == nil {
				t.Errorf("USER_SRP_AUTH of an unknown user succeeded on the ENABLED client")
			}
			if n := len(lt.Calls(fn)); n != 0 {
				t.Errorf("USER_SRP_AUTH called UserMigration %d times", n)
			}
			wantNoUser(t, c, pool, "carol")

			// USER_PASSWORD_AUTH then migrates carol.
			signIn(t, c, client, "carol", goodPassword)
			if n := len(lt.Calls(fn)); n != 1 {
				t.Errorf("UserMigration calls after USER_PASSWORD_AUTH: %d, want 1", n)
			}
		})
	})
}

// srpAuthAny is USER_SRP_AUTH that reports every failure as an error (the
// user may not get a PASSWORD_VERIFIER challenge).
func srpAuthAny(t *testing.T, c *cip.Client, pool, client, username, pw string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	sc := newSRPClient(pool)
	out, err := c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": sc.AHex()}})
	if err != nil {
		return nil, err
	}
	if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		return nil, errors.New("challenge " + string(out.ChallengeName))
	}
	p, err := sc.prove(out.ChallengeParameters, pw, time.Now())
	if err != nil {
		return nil, err
	}
	return c.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: p.Responses(), Session: out.Session})
}
