package cognitoidp

import "context"

func init() {
	register(map[string]operation{"GetClientToken": publicOp(getClientToken)})
}

type getClientTokenRequest struct {
	ClientId       string
	Secret         string
	Scopes         []string
	ClientMetadata map[string]string
}

// getClientToken is the JSON API's client-credentials grant (2026).
func getClientToken(ctx context.Context, h *Handler, req *getClientTokenRequest) (any, error) {
	t, err := h.OAuth.ClientToken(ctx, req.ClientId, req.Secret, req.Scopes)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ClientAuthenticationResult": map[string]any{
		"AccessToken": t.AccessToken, "ExpiresIn": t.ExpiresIn, "TokenType": t.TokenType}}, nil
}
