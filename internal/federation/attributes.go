package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Map applies the provider's AttributeMapping (pool attribute ← provider
// claim) to an identity. Claims the identity lacks are left out; strings
// are copied, booleans become "true"/"false", numbers their decimal form,
// objects and arrays their JSON. The "username" entry, which in Cognito
// names the claim the federated username comes from, is not an attribute
// and is left out.
func Map(p Provider, id *Identity) map[string]string {
	out := map[string]string{}
	if id == nil {
		return out
	}
	for attr, claim := range p.AttributeMapping {
		if attr == "" || claim == "" || attr == "username" {
			continue
		}
		v, ok := id.Claims[claim]
		if !ok || v == nil {
			continue
		}
		out[attr] = claimString(v)
	}
	return out
}

// claimString renders a claim value as Cognito stores attribute values.
func claimString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Username is the pool username Cognito gives a federated user:
// {ProviderName}_{provider user id}, the provider name as configured
// (e.g. "Google_1234", "MyOIDC_abc", "LoginWithAmazon_amzn1.account.X").
func Username(p Provider, id *Identity) string {
	name := p.Name
	if name == "" {
		name = id.ProviderName
	}
	return name + "_" + id.Subject
}

// IdentityEntry is one element of the identities attribute.
type IdentityEntry struct {
	UserID       string  `json:"userId"`
	ProviderName string  `json:"providerName"`
	ProviderType string  `json:"providerType"`
	Issuer       *string `json:"issuer"`
	Primary      bool    `json:"primary"`
	DateCreated  int64   `json:"dateCreated"` // Unix milliseconds
}

// IdentitiesAttribute returns the value of the identities attribute after
// a sign-in with id: existing (the current value, "" for a new user) with
// an entry for the identity added when it has none yet. The first entry is
// the primary one. Entries already there are kept byte for byte, unknown
// fields included.
func IdentitiesAttribute(existing string, id *Identity, now time.Time) (string, error) {
	if id == nil || id.ProviderName == "" || id.Subject == "" {
		return "", errors.New("federation: identities: identity needs a provider name and subject")
	}
	var entries []json.RawMessage
	if s := strings.TrimSpace(existing); s != "" && s != "null" {
		if err := json.Unmarshal([]byte(s), &entries); err != nil {
			return "", fmt.Errorf("federation: identities: existing value is not a JSON array: %w", err)
		}
	}
	for _, raw := range entries {
		var e struct {
			UserID       any    `json:"userId"`
			ProviderName string `json:"providerName"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return "", fmt.Errorf("federation: identities: bad entry: %w", err)
		}
		if e.ProviderName == id.ProviderName && claimString(e.UserID) == id.Subject {
			return compact(entries)
		}
	}
	b, err := json.Marshal(IdentityEntry{
		UserID:       id.Subject,
		ProviderName: id.ProviderName,
		ProviderType: id.ProviderType,
		Issuer:       nil, // Cognito fills it for SAML only
		Primary:      len(entries) == 0,
		DateCreated:  now.UnixMilli(),
	})
	if err != nil {
		return "", err
	}
	return compact(append(entries, b))
}

func compact(entries []json.RawMessage) (string, error) {
	if entries == nil {
		entries = []json.RawMessage{}
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return "", err
	}
	return buf.String(), nil
}
