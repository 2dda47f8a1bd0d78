package users

// Federated users: the pool user behind a sign-in through a third-party
// identity provider, and the administrator operations that link such an
// identity to an existing user (AdminLinkProviderForUser) or cut it off
// (AdminDisableProviderForUser).
//
// As in Cognito ("Adding user pool sign-in through a third party",
// "Linking federated users to an existing user profile"):
//
//   - the first sign-in of an identity creates the user
//     {ProviderName}_{provider user id}, status EXTERNAL_PROVIDER, no
//     password, with the attributes the provider's AttributeMapping gives and
//     the identities attribute; the pre sign-up trigger runs first
//     (PreSignUp_ExternalProvider), the user joins the group
//     {poolId}_{ProviderName} (created when missing), and the post
//     confirmation trigger runs after (PostConfirmation_ConfirmSignUp);
//   - later sign-ins refresh the mapped attributes and run the post
//     authentication trigger;
//   - an identity linked to a user with AdminLinkProviderForUser signs in as
//     that user, whose mapped attributes it then keeps up to date.
//
// Every user holds, for each entry of its identities attribute, an alias of
// kind "identity:{ProviderName}" whose value is the provider's user id
// (aliasesFor derives it), so that the store keeps an identity on at most
// one user of the pool and a sign-in finds the user by its identity.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cogito-idp/cogito/internal/errs"
	"github.com/cogito-idp/cogito/internal/federation"
	"github.com/cogito-idp/cogito/internal/store"
	"github.com/cogito-idp/cogito/internal/triggers"
	"github.com/cogito-idp/cogito/internal/userpool"
)

// identityAliasPrefix starts the alias kind of a linked identity.
const identityAliasPrefix = "identity:"

// Provider names and attribute names of ProviderUserIdentifierType.
const (
	// ProviderNameCognito names the pool's own directory in a
	// ProviderUserIdentifierType.
	ProviderNameCognito = "Cognito"
	// CognitoSubject is the ProviderAttributeName that means "the
	// provider's user id" (the sub of an id token, Facebook's id, Amazon's
	// user_id).
	CognitoSubject = "Cognito_Subject"
	// MaxLinkedIdentities is how many federated identities a user may have
	// ("The maximum number of federated identities linked to a user is
	// five").
	MaxLinkedIdentities = 5
)

func identityAliasKind(provider string) string { return identityAliasPrefix + provider }

// FederatedGroupName is the group Cognito puts a provider's users in.
func FederatedGroupName(poolID, provider string) string { return poolID + "_" + provider }

// identityEntry is what Cogito reads of an element of the identities
// attribute; the rest is kept as it is.
type identityEntry struct {
	UserID       json.RawMessage `json:"userId"`
	ProviderName string          `json:"providerName"`
}

// userID renders an entry's userId (a string, or a number in values an
// administrator wrote) as text.
func (e identityEntry) userID() string {
	var s string
	if json.Unmarshal(e.UserID, &s) == nil {
		return s
	}
	v := strings.TrimSpace(string(e.UserID))
	if v == "null" {
		return ""
	}
	return v
}

// parseIdentities splits an identities value into its raw entries; an
// empty or malformed value has none.
func parseIdentities(v string) ([]json.RawMessage, []identityEntry) {
	v = strings.TrimSpace(v)
	if v == "" || v == "null" {
		return nil, nil
	}
	var raw []json.RawMessage
	if json.Unmarshal([]byte(v), &raw) != nil {
		return nil, nil
	}
	entries := make([]identityEntry, len(raw))
	for i, r := range raw {
		_ = json.Unmarshal(r, &entries[i])
	}
	return raw, entries
}

// addIdentityAliases adds to out the identity aliases of attrs' identities
// attribute: one per provider (the first entry of a provider wins).
func addIdentityAliases(attrs map[string]string, out map[string]string) {
	_, entries := parseIdentities(attrs["identities"])
	for _, e := range entries {
		id := e.userID()
		if e.ProviderName == "" || id == "" {
			continue
		}
		kind := identityAliasKind(e.ProviderName)
		if _, dup := out[kind]; !dup {
			out[kind] = id
		}
	}
}

// hasIdentity reports whether attrs' identities attribute has an entry for
// (provider, userID).
func hasIdentity(attrs map[string]string, provider, userID string) bool {
	_, entries := parseIdentities(attrs["identities"])
	for _, e := range entries {
		if e.ProviderName == provider && e.userID() == userID {
			return true
		}
	}
	return false
}

// removeIdentity returns the identities value without the entry for
// (provider, userID), the other entries byte for byte; removed reports
// whether there was one. The result is "" when no entry is left.
func removeIdentity(v, provider, userID string) (out string, removed bool, err error) {
	raw, entries := parseIdentities(v)
	kept := make([]json.RawMessage, 0, len(raw))
	for i, r := range raw {
		if entries[i].ProviderName == provider && entries[i].userID() == userID {
			removed = true
			continue
		}
		kept = append(kept, r)
	}
	if !removed || len(kept) == 0 {
		return "", removed, nil
	}
	b, err := json.Marshal(kept)
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// federationProvider is the federation package's view of a pool's provider.
func federationProvider(p *userpool.IdentityProvider) federation.Provider {
	return federation.Provider{Name: p.ProviderName, Type: p.ProviderType, Details: p.ProviderDetails,
		AttributeMapping: p.AttributeMapping}
}

// mappedAttributes applies the provider's attribute mapping to the identity
// and checks the values against the pool's schema (InvalidParameterException
// "Attributes did not conform to the schema: ..." for a value that fails).
func mappedAttributes(cfg *userpool.Config, p federation.Provider, id *federation.Identity) (map[string]string, error) {
	m := federation.Map(p, id)
	delete(m, "sub")
	delete(m, "identities")
	return validateAttributes(cfg, sortedAttributes(m))
}

// signInEventAttributes are a user's attributes as the sign-in triggers see
// them (the shape of package auth's events): sub, the attributes and
// cognito:user_status.
func signInEventAttributes(u *store.User) triggers.Attributes {
	a := triggers.Attributes{}
	for k, v := range u.Attributes {
		a[k] = v
	}
	a["sub"] = u.Sub
	a["cognito:user_status"] = u.Status
	return a
}

// postAuthentication runs the pool's post authentication function after a
// federated sign-in; its failure fails the sign-in, as in Cognito.
func (s *Service) postAuthentication(ctx context.Context, pool *userpool.Pool, cl Caller, u *store.User) error {
	arn := lambdaConfig(pool).PostAuthentication
	if arn == "" {
		return nil
	}
	req := &triggers.PostAuthenticationRequest{UserAttributes: signInEventAttributes(u), ClientMetadata: cl.ClientMetadata}
	var resp triggers.EmptyResponse
	return s.callTrigger(ctx, pool, arn, triggers.PostAuthenticationAuthentication, cl.ClientID, u.Username, req, &resp)
}

// FederatedSignIn finds or creates the pool user for an upstream identity as Cognito does and returns the user who signs in: the linked native user when the identity was linked with AdminLinkProviderForUser.
func (s *Service) FederatedSignIn(ctx context.Context, pool *userpool.Pool, clientID string, p *userpool.IdentityProvider, id *federation.Identity) (*store.User, error) {
	if pool == nil || p == nil || id == nil || id.Subject == "" {
		return nil, errs.Param("The identity provider did not identify the user.")
	}
	cfg := &pool.Config
	// The identity as the pool names it: the provider's name and type are
	// the pool's.
	ident := *id
	ident.ProviderName = p.ProviderName
	if ident.ProviderType == "" {
		ident.ProviderType = p.ProviderType
	}
	prov := federationProvider(p)
	attrs, err := mappedAttributes(cfg, prov, &ident)
	if err != nil {
		return nil, err
	}
	caller := Caller{ClientID: clientID}
	u, err := s.findIdentity(ctx, pool, prov, &ident)
	if err != nil {
		return nil, err
	}
	if u != nil {
		return s.federatedReturn(ctx, pool, caller, u, attrs)
	}
	u, err = s.federatedFirst(ctx, pool, caller, prov, &ident, attrs)
	if errs.Is(err, errs.UsernameExists) {
		// A concurrent first sign-in of the same identity won the race:
		// this one is a later sign-in.
		if u, ferr := s.findIdentity(ctx, pool, prov, &ident); ferr == nil && u != nil {
			return s.federatedReturn(ctx, pool, caller, u, attrs)
		}
	}
	return u, err
}

// findIdentity returns the user an identity signs in as, or nil: the user
// holding its identity alias (the federated user, or the user it is linked
// to), else the federated user of that name.
func (s *Service) findIdentity(ctx context.Context, pool *userpool.Pool, p federation.Provider, id *federation.Identity) (*store.User, error) {
	u, err := s.Store.GetUserByAlias(ctx, pool.ID, identityAliasKind(p.Name), id.Subject)
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	u, err = s.Store.GetUser(ctx, pool.ID, Key(&pool.Config, federation.Username(p, id)))
	switch {
	case err == nil && u.Status == StatusExternalProvider:
		return u, nil
	case err == nil, errors.Is(err, store.ErrNotFound):
		// A native user who happens to have that name is not this
		// identity; creating the federated user will then fail.
		return nil, nil
	}
	return nil, err
}

// federatedReturn signs in a user the identity already has: the mapped
// attributes are brought up to date (the identities attribute is left as
// it is) and the post authentication trigger runs.
func (s *Service) federatedReturn(ctx context.Context, pool *userpool.Pool, cl Caller, u *store.User, attrs map[string]string) (*store.User, error) {
	if !u.Enabled {
		return nil, userDisabled()
	}
	cfg := &pool.Config
	changed := func(u *store.User) (bool, error) {
		diff := false
		for k, v := range attrs {
			old, had := u.Attributes[k]
			if had && old == v {
				continue
			}
			if had && !cfg.Mutable(k) {
				return false, errs.Param("Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", k)
			}
			diff = true
		}
		return diff, nil
	}
	diff, err := changed(u)
	if err != nil {
		return nil, err
	}
	if diff {
		u, err = s.update(ctx, pool, u, func(u *store.User) error {
			if !u.Enabled {
				return userDisabled()
			}
			if _, err := changed(u); err != nil {
				return err
			}
			if u.Attributes == nil {
				u.Attributes = map[string]string{}
			}
			for k, v := range attrs {
				u.Attributes[k] = v
			}
			u.Aliases = aliasesFor(cfg, u.Attributes)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if err := s.postAuthentication(ctx, pool, cl, u); err != nil {
		return nil, err
	}
	return u, nil
}

// federatedFirst creates the user of an identity's first sign-in. Nothing
// is written when the pre sign-up function refuses; the user and its group
// membership are written together or not at all (the group itself may stay:
// it is the provider's, not the user's).
func (s *Service) federatedFirst(ctx context.Context, pool *userpool.Pool, cl Caller, p federation.Provider, id *federation.Identity, attrs map[string]string) (*store.User, error) {
	cfg := &pool.Config
	username := federation.Username(p, id)
	if err := validateUsernameForm(username); err != nil {
		return nil, err
	}
	if err := checkRequired(cfg, attrs); err != nil {
		return nil, err
	}
	now := s.now()
	identities, err := federation.IdentitiesAttribute("", id, now)
	if err != nil {
		return nil, err
	}
	pre, err := s.preSignUp(ctx, pool, triggers.PreSignUpExternalProvider, cl, username, attrs, nil)
	if err != nil {
		return nil, err
	}
	stored := copyMap(attrs)
	stored["identities"] = identities
	u := &store.User{
		PoolID: pool.ID, Username: username, UsernameKey: Key(cfg, username), Sub: uuid.NewString(),
		Status: StatusExternalProvider, Enabled: true, Attributes: stored, Aliases: aliasesFor(cfg, stored),
		Created: now, Modified: now,
	}
	force, err := applyPreSignUp(cfg, u, pre)
	if err != nil {
		return nil, err
	}
	// autoConfirmUser has no meaning for a federated user: it stays
	// EXTERNAL_PROVIDER.
	u.Status = StatusExternalProvider

	group := FederatedGroupName(pool.ID, p.Name)
	err = s.Store.CreateGroup(ctx, &store.Group{PoolID: pool.ID, Name: group,
		Description: "Autogenerated group for users who sign in using " + p.Name, Created: now, Modified: now})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return nil, err
	}
	if err := s.createUser(ctx, pool, u, force); err != nil {
		return nil, err
	}
	if err := s.Store.AddUserToGroup(ctx, pool.ID, u.UsernameKey, group); err != nil {
		if derr := s.Store.DeleteUser(ctx, pool.ID, u.UsernameKey); derr != nil && !errors.Is(derr, store.ErrNotFound) {
			s.logError("federated user not rolled back", "pool", pool.ID, "user", u.Username, "err", derr)
		}
		return nil, err
	}
	// The user is saved: a failing post confirmation function fails this
	// sign-in but not the next one (which is a later sign-in), as for
	// ConfirmSignUp.
	if err := s.postConfirmation(ctx, pool, triggers.PostConfirmationConfirmSignUp, cl, u); err != nil {
		return nil, err
	}
	return u, nil
}

// ---------------------------------------------------------------------------
// AdminLinkProviderForUser, AdminDisableProviderForUser

// ProviderUser is Cognito's ProviderUserIdentifierType.
type ProviderUser struct {
	ProviderName           string
	ProviderAttributeName  string
	ProviderAttributeValue string
}

func checkProviderUser(field string, u *ProviderUser, needAttrName bool) error {
	if u == nil {
		return errs.Param("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if u.ProviderName == "" {
		return errs.Param("1 validation error detected: Value null at '%s.providerName' failed to satisfy constraint: Member must not be null", field)
	}
	if len(u.ProviderName) > 32 {
		return errs.Param("1 validation error detected: Value '%s' at '%s.providerName' failed to satisfy constraint: Member must have length less than or equal to 32", u.ProviderName, field)
	}
	if needAttrName && u.ProviderAttributeName == "" {
		return errs.Param("ProviderAttributeName is required for %s.", field)
	}
	if u.ProviderAttributeValue == "" {
		return errs.Param("ProviderAttributeValue is required for %s.", field)
	}
	return nil
}

// findProviderUser resolves a ProviderUserIdentifierType naming a user of
// the pool: a Cognito user by username (or alias), or a federated user by
// its provider user id.
func (s *Service) findProviderUser(ctx context.Context, pool *userpool.Pool, pu *ProviderUser) (*store.User, error) {
	if pu.ProviderName == ProviderNameCognito {
		return s.Find(ctx, pool, pu.ProviderAttributeValue)
	}
	idp, ok := pool.Config.IdentityProvider(pu.ProviderName)
	if !ok {
		return nil, UserNotFound()
	}
	u, err := s.findIdentity(ctx, pool, federationProvider(idp), &federation.Identity{ProviderName: idp.ProviderName, Subject: pu.ProviderAttributeValue})
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, UserNotFound()
	}
	return u, nil
}

// sourceIdentity checks the SourceUser of a link and returns the pool's
// provider it names.
func sourceIdentity(pool *userpool.Pool, src *ProviderUser) (*userpool.IdentityProvider, error) {
	if strings.EqualFold(src.ProviderName, ProviderNameCognito) {
		return nil, errs.Param("The SourceUser must be a federated user, not a user of the user pool.")
	}
	idp, ok := pool.Config.IdentityProvider(src.ProviderName)
	if !ok {
		return nil, userpool.IdentityProviderNotFound(src.ProviderName)
	}
	if src.ProviderAttributeName != CognitoSubject {
		// Cognito also links OIDC and SAML identities by a mapped
		// attribute; Cogito links by the provider's user id only.
		return nil, errs.Param("ProviderAttributeName %s is not supported: link identities with Cognito_Subject.", src.ProviderAttributeName)
	}
	return idp, nil
}

// AdminLinkProviderForUser links the identity SourceUser of one of the
// pool's providers to the existing user DestinationUser: when that identity
// signs in, it signs in as the destination user. The link is an entry of
// the destination user's identities attribute.
func (s *Service) AdminLinkProviderForUser(ctx context.Context, poolID string, dest, src *ProviderUser) error {
	if err := userpool.ValidatePoolID(poolID); err != nil {
		return err
	}
	if err := checkProviderUser("destinationUser", dest, false); err != nil {
		return err
	}
	if err := checkProviderUser("sourceUser", src, true); err != nil {
		return err
	}
	pool, err := s.Pools.GetPool(ctx, poolID)
	if err != nil {
		return err
	}
	cfg := &pool.Config
	idp, err := sourceIdentity(pool, src)
	if err != nil {
		return err
	}
	target, err := s.findProviderUser(ctx, pool, dest)
	if err != nil {
		return err
	}
	subject := src.ProviderAttributeValue
	ident := &federation.Identity{ProviderName: idp.ProviderName, ProviderType: idp.ProviderType, Subject: subject}

	// An identity that signed in already has its own user: Cognito does
	// not merge users.
	holder, err := s.findIdentity(ctx, pool, federationProvider(idp), ident)
	if err != nil {
		return err
	}
	if holder != nil && holder.UsernameKey == target.UsernameKey {
		if hasIdentity(target.Attributes, idp.ProviderName, subject) {
			return nil // already linked to this user
		}
	} else if holder != nil {
		if holder.Status == StatusExternalProvider && holder.UsernameKey == Key(cfg, federation.Username(federationProvider(idp), ident)) {
			return errs.Param("Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
		}
		return errs.New(errs.AliasExists, "The %s identity %s is already linked to another user.", idp.ProviderName, subject)
	}
	_, err = s.Store.UpdateUser(ctx, pool.ID, target.UsernameKey, func(u *store.User) error {
		for k := range u.Attributes {
			if k != "identities" && !cfg.Mutable(k) {
				return errs.Param("The destination user has the immutable attribute %s: only users whose attributes are all mutable can be linked.", k)
			}
		}
		if hasIdentity(u.Attributes, idp.ProviderName, subject) {
			return nil
		}
		_, entries := parseIdentities(u.Attributes["identities"])
		if len(entries) >= MaxLinkedIdentities {
			return errs.New(errs.LimitExceeded, "The maximum number of federated identities linked to a user is %d.", MaxLinkedIdentities)
		}
		for _, e := range entries {
			if e.ProviderName == idp.ProviderName {
				return errs.Param("The user is already linked to another %s identity.", idp.ProviderName)
			}
		}
		v, err := federation.IdentitiesAttribute(u.Attributes["identities"], ident, s.now())
		if err != nil {
			return err
		}
		if u.Attributes == nil {
			u.Attributes = map[string]string{}
		}
		u.Attributes["identities"] = v
		u.Aliases = aliasesFor(cfg, u.Attributes)
		u.Modified = s.now()
		return nil
	})
	return mapLinkErr(cfg, idp.ProviderName, subject, err)
}

// mapLinkErr maps a store failure of a link: a clash on the identity alias
// means another user took the identity meanwhile.
func mapLinkErr(cfg *userpool.Config, provider, subject string, err error) error {
	var ac *store.AliasConflictError
	if errors.As(err, &ac) && strings.HasPrefix(ac.Kind, identityAliasPrefix) {
		return errs.New(errs.AliasExists, "The %s identity %s is already linked to another user.", provider, subject)
	}
	return mapStoreErr(cfg, err)
}

// AdminDisableProviderForUser stops an identity from signing in. For a user
// of the pool's directory (ProviderName Cognito, Cognito_Subject, the
// username) that means its password stops working: it is removed. For an
// identity linked to a user, the link is removed, so the identity's next
// sign-in creates a user of its own. For a federated user that is not
// linked, the user is disabled (and signed out).
func (s *Service) AdminDisableProviderForUser(ctx context.Context, poolID string, user *ProviderUser) error {
	if err := userpool.ValidatePoolID(poolID); err != nil {
		return err
	}
	if err := checkProviderUser("user", user, true); err != nil {
		return err
	}
	pool, err := s.Pools.GetPool(ctx, poolID)
	if err != nil {
		return err
	}
	cfg := &pool.Config
	if user.ProviderAttributeName != CognitoSubject {
		return errs.Param("ProviderAttributeName %s is not supported: identify the user with Cognito_Subject.", user.ProviderAttributeName)
	}
	if user.ProviderName == ProviderNameCognito {
		u, err := s.Find(ctx, pool, user.ProviderAttributeValue)
		if err != nil {
			return err
		}
		_, err = s.update(ctx, pool, u, func(u *store.User) error {
			u.Password = nil
			u.PasswordSet = time.Time{}
			return nil
		})
		return err
	}
	idp, ok := cfg.IdentityProvider(user.ProviderName)
	if !ok {
		return userpool.IdentityProviderNotFound(user.ProviderName)
	}
	prov := federationProvider(idp)
	ident := &federation.Identity{ProviderName: idp.ProviderName, ProviderType: idp.ProviderType, Subject: user.ProviderAttributeValue}
	u, err := s.findIdentity(ctx, pool, prov, ident)
	if err != nil {
		return err
	}
	if u == nil {
		return UserNotFound()
	}
	own := u.Status == StatusExternalProvider && u.UsernameKey == Key(cfg, federation.Username(prov, ident))
	if own {
		// The identity's own user.
		return s.SetEnabled(ctx, pool.ID, u.Username, false)
	}
	_, err = s.update(ctx, pool, u, func(u *store.User) error {
		v, removed, err := removeIdentity(u.Attributes["identities"], idp.ProviderName, ident.Subject)
		if err != nil {
			return err
		}
		if !removed {
			return UserNotFound()
		}
		if v == "" {
			delete(u.Attributes, "identities")
		} else {
			u.Attributes["identities"] = v
		}
		u.Aliases = aliasesFor(cfg, u.Attributes)
		return nil
	})
	return err
}
