package hostedui

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/cogito-idp/cogito/internal/userpool"
)

// usernameField is the sign-in name input, worded after what the pool
// signs users in with: an email address, a phone number, or a username.
func usernameField(cfg *userpool.Config, value string) field {
	f := field{ID: "username", Name: "username", Label: "Username", Type: "text", Autocomplete: "username",
		Value: value, Required: true}
	email, phone := cfg.UsernameAttribute("email"), cfg.UsernameAttribute("phone_number")
	switch {
	case email && phone:
		f.Label = "Email or phone number"
		f.Inputmode = "email"
	case email:
		f.Label, f.Type = "Email", "email"
	case phone:
		f.Label, f.Type, f.Hint = "Phone number", "tel", "Include your country code, for example +14155550123."
	}
	if f.Hint != "" {
		f.DescribedBy = "hint-username"
	}
	return f
}

// signInField is the name input of the pages for existing accounts
// (sign-in, recovery, confirmation): pools with alias attributes also
// take a verified email or phone number there.
func signInField(cfg *userpool.Config, value string) field {
	f := usernameField(cfg, value)
	if len(cfg.UsernameAttributes) > 0 {
		return f
	}
	email, phone := cfg.AliasAttribute("email"), cfg.AliasAttribute("phone_number")
	switch {
	case email && phone:
		f.Label = "Username, email or phone number"
	case email:
		f.Label = "Username or email"
	case phone:
		f.Label = "Username or phone number"
	}
	return f
}

// signInWith says, in the pool's words, what the sign-in name is.
func signInWith(cfg *userpool.Config) string {
	return strings.ToLower(usernameField(cfg, "").Label)
}

// passwordField is a password input; autocomplete is current-password or
// new-password.
func passwordField(id, label, autocomplete string) field {
	f := field{ID: id, Name: id, Label: label, Type: "password", Autocomplete: autocomplete, Required: true,
		Reveal: true, Rules: autocomplete == "new-password"}
	if f.Rules {
		f.DescribedBy = "rules-" + id
	}
	return f
}

// codeField is the one-time code input.
func codeField(value string) field {
	return field{ID: "code", Name: "code", Label: "Verification code", Type: "text", Autocomplete: "one-time-code",
		Inputmode: "numeric", Value: value, Required: true}
}

// policyRules lists the pool's password policy for the hints.
func policyRules(cfg *userpool.Config) []rule {
	pol := cfg.PasswordPolicy()
	var out []rule
	if pol.MinimumLength > 0 {
		out = append(out, rule{Kind: "length", Min: pol.MinimumLength, Text: fmt.Sprintf("At least %d characters", pol.MinimumLength)})
	}
	if pol.RequireUppercase {
		out = append(out, rule{Kind: "upper", Text: "An uppercase letter"})
	}
	if pol.RequireLowercase {
		out = append(out, rule{Kind: "lower", Text: "A lowercase letter"})
	}
	if pol.RequireNumbers {
		out = append(out, rule{Kind: "number", Text: "A number"})
	}
	if pol.RequireSymbols {
		out = append(out, rule{Kind: "symbol", Text: "A special character, such as ! @ # $ %"})
	}
	return out
}

// attrLabels are the standard attributes' names as people say them.
var attrLabels = map[string]string{
	"name": "Full name", "given_name": "First name", "family_name": "Last name", "middle_name": "Middle name",
	"nickname": "Nickname", "preferred_username": "Preferred username", "profile": "Profile page",
	"picture": "Picture URL", "website": "Website", "email": "Email", "gender": "Gender",
	"birthdate": "Date of birth", "zoneinfo": "Time zone", "locale": "Locale", "phone_number": "Phone number",
	"address": "Address", "updated_at": "Updated at",
}

// attrLabel names an attribute for a label or a message.
func attrLabel(name string) string {
	if l, ok := attrLabels[name]; ok {
		return l
	}
	bare := strings.TrimPrefix(strings.TrimPrefix(name, "dev:"), "custom:")
	bare = strings.NewReplacer("_", " ", "-", " ").Replace(bare)
	if bare == "" {
		return name
	}
	return strings.ToUpper(bare[:1]) + bare[1:]
}

// attrAutocomplete is the HTML autofill token of each standard attribute.
var attrAutocomplete = map[string]string{
	"name": "name", "given_name": "given-name", "family_name": "family-name", "middle_name": "additional-name",
	"nickname": "nickname", "email": "email", "phone_number": "tel", "birthdate": "bday", "gender": "sex",
	"address": "street-address", "website": "url", "profile": "url", "picture": "photo", "locale": "language",
}

// attrField is the input for one schema attribute.
func attrField(cfg *userpool.Config, name, value string) field {
	f := field{ID: "attr-" + strings.NewReplacer(":", "-", ".", "-").Replace(name), Name: "attr." + name,
		Label: attrLabel(name), Type: "text", Autocomplete: attrAutocomplete[name], Value: value, Required: true}
	switch name {
	case "email":
		f.Type = "email"
	case "phone_number":
		f.Type, f.Hint = "tel", "Include your country code, for example +14155550123."
	case "birthdate":
		f.Type = "date"
	case "website", "profile", "picture":
		f.Type = "url"
	case "address":
		f.Type = "textarea"
	}
	if a, ok := cfg.Attribute(name); ok {
		switch a.AttributeDataType {
		case userpool.TypeNumber:
			f.Inputmode = "decimal"
		case userpool.TypeBoolean:
			f.Type, f.Options = "select", []string{"true", "false"}
		}
	}
	if f.Autocomplete == "" {
		f.Autocomplete = "off"
	}
	if f.Hint != "" {
		f.DescribedBy = "hint-" + f.ID
	}
	return f
}

// signUpAttributes are the attributes sign-up asks for: the pool's
// required ones, less the one that is the username itself.
func signUpAttributes(cfg *userpool.Config) []string {
	var out []string
	onlyUsername := ""
	if len(cfg.UsernameAttributes) == 1 {
		onlyUsername = cfg.UsernameAttributes[0]
	}
	for _, name := range cfg.RequiredAttributes() {
		if name != onlyUsername && !strings.HasPrefix(name, "dev:") {
			out = append(out, name)
		}
	}
	return out
}

// attrFields builds inputs for the named attributes, valued from the form.
func attrFields(cfg *userpool.Config, names []string, form url.Values) []field {
	out := make([]field, 0, len(names))
	for _, n := range names {
		out = append(out, attrField(cfg, n, strings.TrimSpace(form.Get("attr."+n))))
	}
	return out
}

// withError links the inputs to the form's error message, for screen
// readers, once there is one.
func withError(p *page) {
	if p.Error == "" {
		return
	}
	add := func(f *field) {
		if f.Name == "" {
			return
		}
		if f.DescribedBy == "" {
			f.DescribedBy = "form-error"
		} else if !strings.Contains(f.DescribedBy, "form-error") {
			f.DescribedBy += " form-error"
		}
	}
	add(&p.Username)
	add(&p.Code)
	add(&p.Password)
	for i := range p.Fields {
		add(&p.Fields[i])
	}
}

// focusFirst puts the focus on the first input still empty (else the
// first), in the page's order, so a re-rendered form continues where the
// user stands.
func focusFirst(fields ...*field) {
	for _, f := range fields {
		if f.Value == "" {
			f.Autofocus = true
			return
		}
	}
	if len(fields) > 0 {
		fields[0].Autofocus = true
	}
}

// fieldPtrs lists a slice's fields for focusFirst.
func fieldPtrs(fs []field) []*field {
	out := make([]*field, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}
