package users

// The pool's Lambda triggers on the users side: pre sign-up, post
// confirmation and custom message (migrate user is in migrate.go). Each runs
// only when the pool's LambdaConfig names a function, with the event Cognito
// sends ("Customizing user pool workflows with Lambda triggers" and the
// per-trigger pages of the Cognito Developer Guide), and fails the call with
// the exception triggers.Call maps the function's failure to.

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/messages"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// Caller is who made an API call, as a trigger's event reports it: the app
// client (triggers.AdminClientID for administrator calls, which name none)
// and the call's ClientMetadata, passed to the functions unchanged.
type Caller struct {
	ClientID       string
	ClientMetadata map[string]string
}

// adminCaller is the caller of an administrator operation.
func adminCaller(meta map[string]string) Caller {
	return Caller{ClientID: triggers.AdminClientID, ClientMetadata: meta}
}

// AdminCaller is the caller of an administrator operation, for the API
// edge: triggers see no app client (CLIENT_ID_NOT_APPLICABLE).
func AdminCaller(meta map[string]string) Caller { return adminCaller(meta) }

// callerOr returns the first of given, or def when none was given (the
// optional Caller of operations whose API handlers may not pass one yet).
func callerOr(given []Caller, def Caller) Caller {
	if len(given) > 0 {
		c := given[0]
		if c.ClientID == "" {
			c.ClientID = def.ClientID
		}
		return c
	}
	return def
}

// lambdaConfig is the pool's LambdaConfig, never nil.
func lambdaConfig(pool *userpool.Pool) *userpool.LambdaConfig {
	if lc := pool.Config.LambdaConfig; lc != nil {
		return lc
	}
	return &userpool.LambdaConfig{}
}

// callTrigger runs one trigger of the pool for the user userName.
func (s *Service) callTrigger(ctx context.Context, pool *userpool.Pool, arn, source, clientID, userName string, req, resp any) error {
	if s.Triggers == nil {
		return errs.New(errs.UnexpectedLambda, "%s invocation failed due to error Unable to execute HTTP request.", triggers.TriggerName(source))
	}
	region := ""
	if s.Pools != nil {
		region = s.Pools.Region
	}
	ev := triggers.NewEvent(source, region, pool.ID, clientID, userName)
	return triggers.Call(ctx, s.Triggers, arn, ev, req, resp)
}

// eventAttributes are a stored user's attributes as Cognito sends them to
// the post confirmation and custom message triggers: sub, the attributes,
// cognito:user_status, and cognito:email_alias / cognito:phone_number_alias
// when the pool has that alias and the user holds it (as in the events the
// Developer Guide shows for these triggers).
func eventAttributes(cfg *userpool.Config, u *store.User) triggers.Attributes {
	out := triggers.Attributes{"sub": u.Sub}
	for k, v := range u.Attributes {
		out[k] = v
	}
	out["cognito:user_status"] = u.Status
	for _, kind := range []string{"email", "phone_number"} {
		// An address nobody verified is sent as "false" (the custom
		// message event captured in the seeds shows "email_verified":
		// "false" for a new user).
		if u.Attributes[kind] != "" && u.Attributes[kind+"_verified"] == "" {
			out[kind+"_verified"] = "false"
		}
		if v := u.Attributes[kind]; v != "" && cfg.AliasAttribute(kind) && u.Aliases[kind] != "" {
			out["cognito:"+kind+"_alias"] = v
		}
	}
	return out
}

// attributeMap turns a request's attribute list (ValidationData) into the
// map a trigger receives; none is nil (sent as null).
func attributeMap(in []Attribute) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for _, a := range in {
		out[a.Name] = a.Value
	}
	return out
}

// ---------------------------------------------------------------------------
// Pre sign-up

// preSignUp runs the pre sign-up trigger before a user is written (SignUp:
// PreSignUp_SignUp; AdminCreateUser: PreSignUp_AdminCreateUser). The request
// carries the attributes the user is about to be created with (including
// the username attribute of email/phone-as-username pools), the call's
// ValidationData and ClientMetadata. It returns nil when the pool has no
// pre sign-up function. A failing function fails the call, and nothing is
// written.
func (s *Service) preSignUp(ctx context.Context, pool *userpool.Pool, source string, cl Caller, username string, attrs map[string]string, validation []Attribute) (*triggers.PreSignUpResponse, error) {
	arn := lambdaConfig(pool).PreSignUp
	if arn == "" {
		return nil, nil
	}
	req := triggers.PreSignUpRequest{UserAttributes: triggers.Attributes(copyMap(attrs)),
		ValidationData: attributeMap(validation), ClientMetadata: cl.ClientMetadata}
	var resp triggers.PreSignUpResponse
	if err := s.callTrigger(ctx, pool, arn, source, cl.ClientID, username, req, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// applyPreSignUp applies a PreSignUp_SignUp answer to the new user u
// ("Pre sign-up Lambda trigger", response parameters): autoConfirmUser makes
// it CONFIRMED; autoVerifyEmail / autoVerifyPhone mark the attribute
// verified, which needs the attribute ("the email attribute must have a
// valid, non-null value. Otherwise an error will occur and the user will not
// be able to complete sign-up"), and then take the alias from another user
// that holds it ("the alias will be moved to the new user and the previous
// user's email will be marked as unverified"): force reports that. The flags
// are independent: the guide does not tie auto-verification to
// auto-confirmation. (Cognito ignores the answer for AdminCreateUser: "ignored
// by Amazon Cognito when the Pre Sign-up lambda is triggered by the
// AdminCreateUser API".)
func applyPreSignUp(cfg *userpool.Config, u *store.User, resp *triggers.PreSignUpResponse) (force bool, err error) {
	if resp == nil {
		return false, nil
	}
	for _, v := range []struct {
		on   bool
		attr string
	}{{resp.AutoVerifyEmail, "email"}, {resp.AutoVerifyPhone, "phone_number"}} {
		if !v.on {
			continue
		}
		if u.Attributes[v.attr] == "" {
			return false, errs.New(triggers.InvalidLambdaResponse,
				"Invalid lambda response: cannot auto verify %s, the user has no %s attribute.", v.attr, v.attr)
		}
		u.Attributes[v.attr+"_verified"] = "true"
		force = true
	}
	if resp.AutoConfirmUser {
		u.Status = StatusConfirmed
	}
	u.Aliases = aliasesFor(cfg, u.Attributes)
	return force, nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ---------------------------------------------------------------------------
// Post confirmation

// postConfirmation runs the post confirmation trigger for a user that was
// just confirmed (PostConfirmation_ConfirmSignUp after ConfirmSignUp and
// AdminConfirmSignUp, PostConfirmation_ConfirmForgotPassword after
// ConfirmForgotPassword; "Post confirmation Lambda trigger").
//
// The confirmation is already saved when the function runs and is not
// undone when it fails: the call then fails with the function's error
// (UserLambdaValidationException and the others of triggers.Call) while the
// user stays CONFIRMED (or keeps the new password). This is what Cognito
// does: it invokes the function after the user is confirmed, and users who
// see the error find the account confirmed, so a retried ConfirmSignUp
// answers NotAuthorizedException "User cannot be confirmed. Current status
// is CONFIRMED".
func (s *Service) postConfirmation(ctx context.Context, pool *userpool.Pool, source string, cl Caller, u *store.User) error {
	arn := lambdaConfig(pool).PostConfirmation
	if arn == "" || u == nil {
		return nil
	}
	req := triggers.PostConfirmationRequest{UserAttributes: eventAttributes(&pool.Config, u), ClientMetadata: cl.ClientMetadata}
	return s.callTrigger(ctx, pool, arn, source, cl.ClientID, u.Username, req, nil)
}

// ---------------------------------------------------------------------------
// Custom message

// msgValues are the real values of a message's placeholders.
type msgValues struct {
	username string // for {username}
	code     string // for {####}: the code or temporary password
	link     string // the confirmation link of CONFIRM_WITH_LINK emails
}

// customize runs the custom message trigger for the messages ms, already
// rendered from the pool's templates, of one occasion (kind is a
// messages.Kind*, which names the CustomMessage_* trigger source) and
// replaces their text with the function's ("Custom message Lambda
// trigger"):
//
//   - the function gets the placeholders, never the code: codeParameter
//     {####}, usernameParameter {username} for CustomMessage_AdminCreateUser
//     (null otherwise), and linkParameter {##Click Here##} for the sign-up
//     confirmation messages, as in events captured from Cognito;
//   - Cognito then "replaces the codeParameter string with the actual
//     verification code" (and the username placeholder with the user's
//     sign-in name) in the returned emailMessage, emailSubject and
//     smsMessage;
//   - a field the function leaves empty keeps the template's text;
//   - a message must contain the code placeholder (the guide: "Must include
//     the codeParameter value received in the request"; for
//     AdminCreateUser both placeholders, "the response from your function
//     must include placeholder variables for the username and code"), or
//     the link placeholder for a link email. A message without them is not
//     used: the template's message goes out instead, which is what users of
//     Cognito report seeing (the custom subject with the default body). The
//     subject needs no placeholder;
//   - a function that fails fails the API call with its error. The message
//     is the last step of every operation here, so what was saved before
//     (the new user of SignUp, an issued code) stays, as on Cognito.
//
// One invocation serves all of ms: the response carries both the email and
// the SMS text.
func (s *Service) customize(ctx context.Context, pool *userpool.Pool, cl Caller, u *store.User, kind string, vals msgValues, ms ...*messages.Message) error {
	arn := lambdaConfig(pool).CustomMessage
	if arn == "" || len(ms) == 0 {
		return nil
	}
	admin := kind == messages.KindAdminCreateUser
	req := triggers.CustomMessageRequest{UserAttributes: eventAttributes(&pool.Config, u),
		CodeParameter: triggers.CodeParameter, ClientMetadata: cl.ClientMetadata}
	if admin {
		p := triggers.UsernameParameter
		req.UsernameParameter = &p
	}
	if kind == messages.KindSignUp || kind == messages.KindResendCode {
		req.LinkParameter = triggers.LinkParameter
	}
	var resp triggers.CustomMessageResponse
	if err := s.callTrigger(ctx, pool, arn, "CustomMessage_"+kind, cl.ClientID, u.Username, req, &resp); err != nil {
		return err
	}
	usable := func(text string) bool {
		if text == "" {
			return false
		}
		if vals.link != "" && linkRE.MatchString(strings.ReplaceAll(text, triggers.CodeParameter, "")) {
			return true
		}
		if !strings.Contains(text, triggers.CodeParameter) {
			return false
		}
		return !admin || strings.Contains(text, triggers.UsernameParameter)
	}
	render := func(text string) string {
		text = fill(text, vals.username, vals.code)
		if vals.link != "" {
			text = linkRE.ReplaceAllStringFunc(text, func(m string) string {
				return `<a href="` + vals.link + `">` + linkRE.FindStringSubmatch(m)[1] + `</a>`
			})
		}
		return text
	}
	for _, m := range ms {
		if m.Channel == messages.Email {
			if usable(resp.EmailMessage) {
				m.Body = render(resp.EmailMessage)
			}
			if resp.EmailSubject != "" {
				m.Subject = fill(resp.EmailSubject, vals.username, vals.code)
			}
		} else if usable(resp.SMSMessage) {
			m.Body = render(resp.SMSMessage)
		}
	}
	return nil
}

// sortedAttributes lists attrs by name (for validating a map in a stable
// order, so the same input always gives the same error).
func sortedAttributes(attrs map[string]string) []Attribute {
	out := make([]Attribute, 0, len(attrs))
	for k, v := range attrs {
		out = append(out, Attribute{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// createSignUpUser is SignUp's single write of the new user. With force (a
// pre sign-up function auto-verified an email or phone) an alias another
// user holds moves to the new user, as createUser does for
// ForceAliasCreation.
func (s *Service) createSignUpUser(ctx context.Context, pool *userpool.Pool, u *store.User, force bool) error {
	cfg := &pool.Config
	for attempt := 0; ; attempt++ {
		err := s.Store.CreateUser(ctx, u)
		var ac *store.AliasConflictError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, store.ErrExists):
			return errs.New(errs.UsernameExists, "User already exists")
		case errors.As(err, &ac) && force && !cfg.UsernameAttribute(ac.Kind) && attempt < 3:
			if err := s.releaseAlias(ctx, pool, ac); err != nil {
				return err
			}
		default:
			return mapUniqueErr(cfg, err, true)
		}
	}
}
