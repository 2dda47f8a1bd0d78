package oauth2

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A cross-site POST without the binding cookie is re-posted same-origin
// once, fields intact and escaped; with the cookie, or once bounced, it
// goes through.
func TestBounce(t *testing.T) {
	post := func(form url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/saml2/idpresponse", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.ParseForm()
		return r
	}
	w := httptest.NewRecorder()
	if !bounce(w, post(url.Values{"SAMLResponse": {`PHNhbWw+"<x>`}, "RelayState": {"st"}}), false) {
		t.Fatal("a POST without the cookie was not bounced")
	}
	body := w.Body.String()
	for _, want := range []string{`action="/saml2/idpresponse"`, `name="RelayState" value="st"`, `name="cogito_bounce" value="1"`, `value="PHNhbWw&#43;&#34;&lt;x&gt;"`} {
		if !strings.Contains(body, want) {
			t.Errorf("bounce page lacks %s:\n%s", want, body)
		}
	}
	if bounce(httptest.NewRecorder(), post(url.Values{"SAMLResponse": {"x"}}), true) {
		t.Error("a POST with the cookie was bounced")
	}
	if bounce(httptest.NewRecorder(), post(url.Values{"SAMLResponse": {"x"}, bounceField: {"1"}}), false) {
		t.Error("a POST was bounced twice")
	}
}
