package oauth2

import (
	"html/template"
	"net/http"
)

// bounceField marks a form that came back through bounce.
const bounceField = "cogito_bounce"

// bouncePage re-posts a provider's answer to the same URL from Cogito's own
// origin. A provider's cross-site POST (SAML's POST binding, Apple's
// form_post) carries no SameSite=Lax cookie, and over plain http the
// browser-binding cookie cannot be SameSite=None; a same-origin POST
// carries it. An attacker's bounced answer still fails: the victim's
// cookie does not match the attacker's state.
var bouncePage = template.Must(template.New("bounce").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signing in…</title></head>
<body onload="document.forms[0].submit()">
<form method="post" action="{{.Action}}">
{{range $k, $vs := .Fields}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">
{{end}}{{end}}<input type="hidden" name="` + bounceField + `" value="1">
<noscript><button type="submit">Continue</button></noscript>
</form>
</body></html>`))

// bounce answers a cross-site POST that lacks the browser-binding cookie by
// re-posting it same-origin once. It reports whether it did.
func bounce(w http.ResponseWriter, r *http.Request, haveCookie bool) bool {
	if haveCookie || r.Method != http.MethodPost || r.PostForm.Get(bounceField) != "" {
		return false
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	bouncePage.Execute(w, map[string]any{"Action": r.URL.Path, "Fields": r.PostForm})
	return true
}
