package server_test

// CUSTOM_AUTH through the AWS SDK for Go v2, with the three custom challenge
// triggers written as Go functions in the Lambda Invoke API double, the way
// the Cognito Developer Guide's examples write them: a one-time code
// challenge whose answer is "42"; define issues tokens after a right answer
// and fails the sign-in after three wrong ones.

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cogito-idp/cogito/internal/server"
	"github.com/cogito-idp/cogito/internal/testutil/cogitotest"
	"github.com/cogito-idp/cogito/internal/testutil/lambdatest"
)

// customFns are the names of one pool's three challenge functions.
type customFns struct{ define, create, verify string }

func (f customFns) lambdaConfig() *types.LambdaConfigType {
	return &types.LambdaConfigType{DefineAuthChallenge: aws.String(lambdatest.ARN(f.define)),
		CreateAuthChallenge:         aws.String(lambdatest.ARN(f.create)),
		VerifyAuthChallengeResponse: aws.String(lambdatest.ARN(f.verify))}
}

// sessionOf is an event's request.session.
func sessionOf(ev lambdatest.Event) []map[string]any {
	var out []map[string]any
	list, _ := lambdatest.Request(ev)["session"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, m)
	}
	return out
}

// installOTP installs the one-time code functions under names made from
// prefix.
func installOTP(lt *lambdatest.Server, prefix string) customFns {
	f := customFns{define: prefix + "-define", create: prefix + "-create", verify: prefix + "-verify"}
	lt.Handle(f.define, func(ev lambdatest.Event) (lambdatest.Event, error) {
		session := sessionOf(ev)
		resp := lambdatest.Response(ev)
		wrong := 0
		for _, c := range session {
			if c["challengeName"] == "CUSTOM_CHALLENGE" && c["challengeResult"] == false {
				wrong++
			}
		}
		var last map[string]any
		if len(session) > 0 {
			last = session[len(session)-1]
		}
		switch {
		case last == nil:
			resp["challengeName"], resp["issueTokens"], resp["failAuthentication"] = "CUSTOM_CHALLENGE", false, false
		case last["challengeName"] == "SRP_A":
			resp["challengeName"], resp["issueTokens"], resp["failAuthentication"] = "PASSWORD_VERIFIER", false, false
		case last["challengeName"] == "PASSWORD_VERIFIER" && last["challengeResult"] == true:
			resp["challengeName"], resp["issueTokens"], resp["failAuthentication"] = "CUSTOM_CHALLENGE", false, false
		case last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true:
			resp["issueTokens"], resp["failAuthentication"] = true, false
		case wrong >= 3:
			resp["issueTokens"], resp["failAuthentication"] = false, true
		default:
			resp["challengeName"], resp["issueTokens"], resp["failAuthentication"] = "CUSTOM_CHALLENGE", false, false
		}
		return ev, nil
	})
	lt.Handle(f.create, func(ev lambdatest.Event) (lambdatest.Event, error) {
		req := lambdatest.Request(ev)
		if req["challengeName"] == "CUSTOM_CHALLENGE" {
			resp := lambdatest.Response(ev)
			resp["publicChallengeParameters"] = map[string]any{"hint": "six times seven"}
			resp["privateChallengeParameters"] = map[string]any{"answer": "42"}
			resp["challengeMetadata"] = fmt.Sprintf("CODE-%d", len(sessionOf(ev)))
		}
		return ev, nil
	})
	lt.Handle(f.verify, func(ev lambdatest.Event) (lambdatest.Event, error) {
		req := lambdatest.Request(ev)
		private, _ := req["privateChallengeParameters"].(map[string]any)
		lambdatest.Response(ev)["answerCorrect"] = private["answer"] == req["challengeAnswer"]
		return ev, nil
	})
	return f
}

// customPool makes a pool with lc, a client allowing CUSTOM_AUTH and
// USER_SRP_AUTH with the given PreventUserExistenceErrors, and a confirmed
// user "ann" with an email.
func customPool(t *testing.T, c *cip.Client, lc *types.LambdaConfigType, prevent types.PreventUserExistenceErrorTypes) (pool, client string) {
	t.Helper()
	pool = newPool(t, c, &cip.CreateUserPoolInput{LambdaConfig: lc})
	client, _ = suClient(t, c, pool, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: prevent,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowCustomAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	confirmedUser(t, c, pool, "ann", goodPassword, attr("email", "ann@example.com"))
	return pool, client
}

func customInitiate(t *testing.T, c *cip.Client, client string, params, meta map[string]string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	return c.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: params, ClientMetadata: meta})
}

func customAnswer(t *testing.T, c *cip.Client, client, session, username, answer string, meta map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	return c.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
		ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: aws.String(session), ClientMetadata: meta,
		ChallengeResponses: map[string]string{"USERNAME": username, "ANSWER": answer}})
}

// wantSession asserts the session history a trigger saw, as
// name/result/metadata triples (metadata nil for null).
func wantSession(t *testing.T, ev lambdatest.Event, want ...[3]any) {
	t.Helper()
	got := sessionOf(ev)
	if len(got) != len(want) {
		t.Fatalf("%s session: %v, want %d entries", ev["triggerSource"], lambdatest.Request(ev)["session"], len(want))
	}
	for i, w := range want {
		g := got[i]
		if md, ok := g["challengeMetadata"]; !ok || g["challengeName"] != w[0] || g["challengeResult"] != w[1] || md != w[2] {
			t.Errorf("%s session[%d] = %v, want %v", ev["triggerSource"], i, g, w)
		}
	}
	// Cognito sends [] on the first call, never null.
	if list, ok := lambdatest.Request(ev)["session"].([]any); !ok || list == nil {
		t.Errorf("%s session is %#v, want an array", ev["triggerSource"], lambdatest.Request(ev)["session"])
	}
}

// wantEnvelope asserts an event's common fields.
func wantEnvelope(t *testing.T, ev lambdatest.Event, source, pool, client, username string) {
	t.Helper()
	cc, _ := ev["callerContext"].(map[string]any)
	if ev["triggerSource"] != source || ev["userPoolId"] != pool || ev["userName"] != username ||
		ev["region"] != "us-east-1" || ev["version"] != "1" || cc["clientId"] != client {
		t.Errorf("%s event envelope: %v", source, ev)
	}
	attrs, _ := lambdatest.Request(ev)["userAttributes"].(map[string]any)
	if attrs["email"] != "ann@example.com" || attrs["cognito:user_status"] != "CONFIRMED" || attrs["sub"] == nil {
		t.Errorf("%s userAttributes: %v", source, attrs)
	}
}

// wantMeta asserts an event's request.clientMetadata (nil: absent).
func wantMeta(t *testing.T, ev lambdatest.Event, want map[string]any) {
	t.Helper()
	got, present := lambdatest.Request(ev)["clientMetadata"]
	if want == nil {
		if present {
			t.Errorf("%s clientMetadata %v, want none", ev["triggerSource"], got)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s clientMetadata %v, want %v", ev["triggerSource"], got, want)
	}
}

func TestCustomAuth(t *testing.T) {
	cogitotest.ForEachStore(t, func(t *testing.T, opts server.Options) {
		lt := lambdatest.Start(t)
		opts.LambdaEndpoint = lt.URL
		opts.LambdaAccessKeyID, opts.LambdaSecretAccessKey = lambdatest.AccessKeyID, lambdatest.SecretAccessKey
		env := cogitotest.Start(t, opts)
		c := env.Client

		t.Run("OneTimeCode", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			lc := f.lambdaConfig()
			pre, post := uniq("preauth"), uniq("postauth")
			lt.Handle(pre, func(ev lambdatest.Event) (lambdatest.Event, error) { return ev, nil })
			lt.Handle(post, func(ev lambdatest.Event) (lambdatest.Event, error) { return ev, nil })
			lc.PreAuthentication, lc.PostAuthentication = aws.String(lambdatest.ARN(pre)), aws.String(lambdatest.ARN(post))
			pool, client := customPool(t, c, lc, types.PreventUserExistenceErrorTypesLegacy)
			out, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, map[string]string{"from": "initiate"})
			must(t, err, "InitiateAuth CUSTOM_AUTH")
			if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || aws.ToString(out.Session) == "" || out.AuthenticationResult != nil {
				t.Fatalf("InitiateAuth: %+v", out)
			}
			if want := map[string]string{"hint": "six times seven", "USERNAME": "ann"}; !reflect.DeepEqual(out.ChallengeParameters, want) {
				t.Fatalf("ChallengeParameters %v, want %v", out.ChallengeParameters, want)
			}
			res, err := customAnswer(t, c, client, aws.ToString(out.Session), "ann", "42", map[string]string{"step": "answer"})
			must(t, err, "RespondToAuthChallenge CUSTOM_CHALLENGE")
			if res.AuthenticationResult == nil || res.ChallengeName != "" {
				t.Fatalf("right answer: %+v", res)
			}
			id := claimsOf(t, aws.ToString(res.AuthenticationResult.IdToken))
			if id["cognito:username"] != "ann" || id["email"] != "ann@example.com" {
				t.Errorf("id token claims %v", id)
			}
			if res.AuthenticationResult.RefreshToken == nil {
				t.Error("no refresh token")
			}

			defs, creates, verifies := lt.Calls(f.define), lt.Calls(f.create), lt.Calls(f.verify)
			if len(defs) != 2 || len(creates) != 1 || len(verifies) != 1 {
				t.Fatalf("calls: define %d, create %d, verify %d", len(defs), len(creates), len(verifies))
			}
			wantEnvelope(t, defs[0], "DefineAuthChallenge_Authentication", pool, client, "ann")
			wantEnvelope(t, creates[0], "CreateAuthChallenge_Authentication", pool, client, "ann")
			wantEnvelope(t, verifies[0], "VerifyAuthChallengeResponse_Authentication", pool, client, "ann")
			wantEnvelope(t, defs[1], "DefineAuthChallenge_Authentication", pool, client, "ann")
			wantSession(t, defs[0])
			wantSession(t, creates[0])
			wantSession(t, defs[1], [3]any{"CUSTOM_CHALLENGE", true, "CODE-0"})
			if lambdatest.Request(creates[0])["challengeName"] != "CUSTOM_CHALLENGE" {
				t.Errorf("create request %v", lambdatest.Request(creates[0]))
			}
			vreq := lambdatest.Request(verifies[0])
			if p, _ := vreq["privateChallengeParameters"].(map[string]any); p["answer"] != "42" || vreq["challengeAnswer"] != "42" {
				t.Errorf("verify request %v", vreq)
			}
			// InitiateAuth's ClientMetadata reaches none of the challenge
			// triggers; RespondToAuthChallenge's reaches all three.
			wantMeta(t, defs[0], nil)
			wantMeta(t, creates[0], nil)
			wantMeta(t, verifies[0], map[string]any{"step": "answer"})
			wantMeta(t, defs[1], map[string]any{"step": "answer"})
			// userNotFound is sent only under PreventUserExistenceErrors.
			for _, ev := range []lambdatest.Event{defs[0], creates[0], verifies[0]} {
				if _, ok := lambdatest.Request(ev)["userNotFound"]; ok {
					t.Errorf("%s: userNotFound sent to a LEGACY client's trigger", ev["triggerSource"])
				}
			}

			// Pre authentication runs at InitiateAuth (its ClientMetadata as
			// validationData), post authentication when tokens are issued.
			if calls := lt.Calls(pre); len(calls) != 1 {
				t.Errorf("PreAuthentication calls %d, want 1", len(calls))
			} else if vd, _ := lambdatest.Request(calls[0])["validationData"].(map[string]any); vd["from"] != "initiate" {
				t.Errorf("PreAuthentication validationData %v", lambdatest.Request(calls[0])["validationData"])
			}
			if calls := lt.Calls(post); len(calls) != 1 {
				t.Errorf("PostAuthentication calls %d, want 1", len(calls))
			} else {
				wantMeta(t, calls[0], map[string]any{"step": "answer"})
			}

			// The same through the admin API.
			aout, err := c.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool),
				ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeCustomAuth,
				AuthParameters: map[string]string{"USERNAME": "ann"}})
			must(t, err, "AdminInitiateAuth CUSTOM_AUTH")
			ares, err := c.AdminRespondToAuthChallenge(t.Context(), &cip.AdminRespondToAuthChallengeInput{
				UserPoolId: aws.String(pool), ClientId: aws.String(client), ChallengeName: types.ChallengeNameTypeCustomChallenge,
				Session: aout.Session, ChallengeResponses: map[string]string{"USERNAME": "ann", "ANSWER": "42"}})
			must(t, err, "AdminRespondToAuthChallenge CUSTOM_CHALLENGE")
			if ares.AuthenticationResult == nil {
				t.Fatalf("admin custom auth: %+v", ares)
			}
		})

		t.Run("WrongThenRight", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			_, client := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			out, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			must(t, err, "InitiateAuth")
			res, err := customAnswer(t, c, client, aws.ToString(out.Session), "ann", "41", nil)
			must(t, err, "wrong answer")
			if res.ChallengeName != types.ChallengeNameTypeCustomChallenge || res.AuthenticationResult != nil ||
				aws.ToString(res.Session) == "" || aws.ToString(res.Session) == aws.ToString(out.Session) {
				t.Fatalf("wrong answer: %+v", res)
			}
			if res.ChallengeParameters["hint"] != "six times seven" || res.ChallengeParameters["USERNAME"] != "ann" {
				t.Errorf("second challenge parameters %v", res.ChallengeParameters)
			}
			res2, err := customAnswer(t, c, client, aws.ToString(res.Session), "ann", "42", nil)
			must(t, err, "right answer")
			if res2.AuthenticationResult == nil {
				t.Fatalf("right answer after a wrong one: %+v", res2)
			}
			defs, creates := lt.Calls(f.define), lt.Calls(f.create)
			if len(defs) != 3 || len(creates) != 2 {
				t.Fatalf("calls: define %d, create %d", len(defs), len(creates))
			}
			wantSession(t, defs[1], [3]any{"CUSTOM_CHALLENGE", false, "CODE-0"})
			wantSession(t, creates[1], [3]any{"CUSTOM_CHALLENGE", false, "CODE-0"})
			wantSession(t, defs[2], [3]any{"CUSTOM_CHALLENGE", false, "CODE-0"}, [3]any{"CUSTOM_CHALLENGE", true, "CODE-1"})
		})

		t.Run("FailAuthentication", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			_, client := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			out, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			must(t, err, "InitiateAuth")
			session := aws.ToString(out.Session)
			for i := 1; i <= 2; i++ {
				res, err := customAnswer(t, c, client, session, "ann", "0", nil)
				must(t, err, fmt.Sprintf("wrong answer %d", i))
				session = aws.ToString(res.Session)
			}
			_, err = customAnswer(t, c, client, session, "ann", "0", nil)
			wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "third wrong answer")
			// The failed sign-in's session is gone.
			_, err = customAnswer(t, c, client, session, "ann", "42", nil)
			wantErr[*types.NotAuthorizedException](t, err, "answer after failAuthentication")
		})

		t.Run("SRPThenCustomChallenge", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			pool, client := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			sc := newSRPClient(pool)
			out, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann", "SRP_A": sc.AHex(),
				"CHALLENGE_NAME": "SRP_A"}, nil)
			must(t, err, "InitiateAuth CUSTOM_AUTH with SRP_A")
			if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
				t.Fatalf("InitiateAuth with SRP_A: challenge %q", out.ChallengeName)
			}
			for _, k := range []string{"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"} {
				if out.ChallengeParameters[k] == "" {
					t.Errorf("PASSWORD_VERIFIER without %s: %v", k, out.ChallengeParameters)
				}
			}
			p, err := sc.prove(out.ChallengeParameters, goodPassword, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
				ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: p.Responses(), Session: out.Session})
			must(t, err, "PASSWORD_VERIFIER")
			if res.ChallengeName != types.ChallengeNameTypeCustomChallenge || res.ChallengeParameters["hint"] != "six times seven" {
				t.Fatalf("after the password: %+v", res)
			}
			done, err := customAnswer(t, c, client, aws.ToString(res.Session), "ann", "42", nil)
			must(t, err, "CUSTOM_CHALLENGE after SRP")
			if done.AuthenticationResult == nil {
				t.Fatalf("no tokens: %+v", done)
			}
			defs, creates := lt.Calls(f.define), lt.Calls(f.create)
			if len(defs) != 3 || len(creates) != 1 {
				t.Fatalf("calls: define %d, create %d", len(defs), len(creates))
			}
			wantSession(t, defs[0], [3]any{"SRP_A", true, nil})
			wantSession(t, defs[1], [3]any{"SRP_A", true, nil}, [3]any{"PASSWORD_VERIFIER", true, nil})
			wantSession(t, creates[0], [3]any{"SRP_A", true, nil}, [3]any{"PASSWORD_VERIFIER", true, nil})
			wantSession(t, defs[2], [3]any{"SRP_A", true, nil}, [3]any{"PASSWORD_VERIFIER", true, nil},
				[3]any{"CUSTOM_CHALLENGE", true, "CODE-2"})

			// A wrong password ends the sign-in without asking define.
			sc = newSRPClient(pool)
			out, err = customInitiate(t, c, client, map[string]string{"USERNAME": "ann", "SRP_A": sc.AHex(),
				"CHALLENGE_NAME": "SRP_A"}, nil)
			must(t, err, "InitiateAuth CUSTOM_AUTH with SRP_A")
			p, err = sc.prove(out.ChallengeParameters, "Wr0ng-Password!", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(client),
				ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: p.Responses(), Session: out.Session})
			wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "wrong password")
			if n := len(lt.Calls(f.define)); n != 4 {
				t.Errorf("define calls after a wrong password: %d, want 4", n)
			}
		})

		t.Run("NoTrigger", func(t *testing.T) {
			t.Parallel()
			_, client := customPool(t, c, nil, types.PreventUserExistenceErrorTypesLegacy)
			_, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			wantMsg[*types.InvalidParameterException](t, err, "Custom auth lambda trigger is not configured for the user pool.",
				"CUSTOM_AUTH without DefineAuthChallenge")
		})

		t.Run("FailingDefine", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			f.define = uniq("broken-define")
			lt.Handle(f.define, func(ev lambdatest.Event) (lambdatest.Event, error) {
				return nil, errors.New("define exploded")
			})
			_, client := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			_, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			wantMsg[*types.UserLambdaValidationException](t, err, "DefineAuthChallenge failed with error define exploded.",
				"failing define function")
			if n := len(lt.Calls(f.create)); n != 0 {
				t.Errorf("create called %d times after define failed", n)
			}
		})

		t.Run("UnrecognizedDefineOutput", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			f.define = uniq("idle-define")
			// Neither tokens, nor failure, nor a challenge.
			lt.Handle(f.define, func(ev lambdatest.Event) (lambdatest.Event, error) { return ev, nil })
			_, client := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			_, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			wantErr[*types.InvalidLambdaResponseException](t, err, "define answering nothing")
			// PASSWORD_VERIFIER needs SRP_A.
			f.define = uniq("pv-define")
			lt.Handle(f.define, func(ev lambdatest.Event) (lambdatest.Event, error) {
				lambdatest.Response(ev)["challengeName"] = "PASSWORD_VERIFIER"
				return ev, nil
			})
			_, client = customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			_, err = customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			wantErr[*types.InvalidLambdaResponseException](t, err, "PASSWORD_VERIFIER without SRP_A")
		})

		t.Run("ReplayedSession", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			_, client := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			out, err := customInitiate(t, c, client, map[string]string{"USERNAME": "ann"}, nil)
			must(t, err, "InitiateAuth")
			res, err := customAnswer(t, c, client, aws.ToString(out.Session), "ann", "41", nil)
			must(t, err, "wrong answer")
			_, err = customAnswer(t, c, client, aws.ToString(out.Session), "ann", "42", nil)
			wantErr[*types.NotAuthorizedException](t, err, "replayed session after a wrong answer")
			_, err = customAnswer(t, c, client, aws.ToString(res.Session), "ann", "42", nil)
			must(t, err, "the current session")
			_, err = customAnswer(t, c, client, aws.ToString(res.Session), "ann", "42", nil)
			wantErr[*types.NotAuthorizedException](t, err, "replayed session after tokens")
			if n := len(lt.Calls(f.verify)); n != 2 {
				t.Errorf("verify calls %d, want 2 (replays must not reach the triggers)", n)
			}
		})

		t.Run("UnknownUser", func(t *testing.T) {
			t.Parallel()
			f := installOTP(lt, uniq("otp"))
			_, legacy := customPool(t, c, f.lambdaConfig(), types.PreventUserExistenceErrorTypesLegacy)
			_, err := customInitiate(t, c, legacy, map[string]string{"USERNAME": "nobody"}, nil)
			wantErr[*types.UserNotFoundException](t, err, "unknown user, LEGACY")
			if n := len(lt.Calls(f.define)); n != 0 {
				t.Errorf("define called %d times for an unknown user under LEGACY", n)
			}

			g := installOTP(lt, uniq("otp"))
			enabledPool, enabled := customPool(t, c, g.lambdaConfig(), types.PreventUserExistenceErrorTypesEnabled)
			out, err := customInitiate(t, c, enabled, map[string]string{"USERNAME": "nobody"}, nil)
			must(t, err, "unknown user, ENABLED")
			if out.ChallengeName != types.ChallengeNameTypeCustomChallenge || out.ChallengeParameters["USERNAME"] != "nobody" {
				t.Fatalf("unknown user challenge: %+v", out)
			}
			_, err = customAnswer(t, c, enabled, aws.ToString(out.Session), "nobody", "42", nil)
			wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "tokens for an unknown user")
			for _, ev := range append(lt.Calls(g.define), append(lt.Calls(g.create), lt.Calls(g.verify)...)...) {
				req := lambdatest.Request(ev)
				if req["userNotFound"] != true || ev["userName"] != "nobody" {
					t.Errorf("%s for an unknown user: userNotFound %v, userName %v", ev["triggerSource"], req["userNotFound"], ev["userName"])
				}
				if attrs, ok := req["userAttributes"].(map[string]any); !ok || len(attrs) != 0 {
					t.Errorf("%s userAttributes for an unknown user: %v", ev["triggerSource"], req["userAttributes"])
				}
			}
			// With SRP_A an unknown user gets a PASSWORD_VERIFIER decoy that no
			// password answers.
			sc := newSRPClient(enabledPool)
			out, err = customInitiate(t, c, enabled, map[string]string{"USERNAME": "nobody", "SRP_A": sc.AHex(),
				"CHALLENGE_NAME": "SRP_A"}, nil)
			must(t, err, "unknown user with SRP_A, ENABLED")
			if out.ChallengeName != types.ChallengeNameTypePasswordVerifier || out.ChallengeParameters["SRP_B"] == "" {
				t.Fatalf("unknown user with SRP_A: %+v", out)
			}
			p, err := sc.prove(out.ChallengeParameters, goodPassword, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(enabled),
				ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeResponses: p.Responses(), Session: out.Session})
			wantMsg[*types.NotAuthorizedException](t, err, "Incorrect username or password.", "decoy PASSWORD_VERIFIER")

			// A known user of that client gets userNotFound: false.
			out, err = customInitiate(t, c, enabled, map[string]string{"USERNAME": "ann"}, nil)
			must(t, err, "known user, ENABLED")
			defs := lt.Calls(g.define)
			if req := lambdatest.Request(defs[len(defs)-1]); req["userNotFound"] != false {
				t.Errorf("known user's userNotFound %v, want false", req["userNotFound"])
			}
			_ = out
		})
	})
}
