package oauth2

import (
	"net/http"
)

// jwksMaxAge lets verifiers cache the key set: a new key is published half
// an hour before it signs, longer than this.
const jwksMaxAge = "public, max-age=900"

func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	doc, err := h.Keys.JWKS(r.Context(), site(r).Pool.ID)
	if err != nil {
		h.Log.Error("jwks", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", jwksMaxAge)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(doc)
}

// discovery is the OpenID Connect discovery document; it advertises only
// what the pool serves.
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request) {
	st := site(r)
	iss := h.Issuer(st.Pool.ID)
	base := st.Base
	doc := map[string]any{
		"issuer":                                     iss,
		"jwks_uri":                                   iss + "/.well-known/jwks.json",
		"authorization_endpoint":                     base + "/oauth2/authorize",
		"token_endpoint":                             base + "/oauth2/token",
		"userinfo_endpoint":                          base + "/oauth2/userInfo",
		"revocation_endpoint":                        base + "/oauth2/revoke",
		"end_session_endpoint":                       base + "/logout",
		"response_types_supported":                   []string{"code", "token"},
		"response_modes_supported":                   []string{"query", "fragment"},
		"grant_types_supported":                      []string{"authorization_code", "implicit", "refresh_token", "client_credentials"},
		"subject_types_supported":                    []string{"public"},
		"id_token_signing_alg_values_supported":      []string{"RS256"},
		"scopes_supported":                           []string{"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"},
		"token_endpoint_auth_methods_supported":      []string{"client_secret_basic", "client_secret_post", "none"},
		"revocation_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":           []string{"S256", "plain"},
		"claims_supported": []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "token_use",
			"cognito:username", "cognito:groups", "email", "email_verified", "phone_number", "phone_number_verified",
			"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
			"website", "gender", "birthdate", "zoneinfo", "locale", "address", "updated_at", "identities"},
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSONCached(w, doc)
}
