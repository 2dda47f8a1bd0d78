package userpool

import (
	"fmt"
	"math/big"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cogito-idp/cogito/internal/errs"
)

// Data types of schema attributes.
const (
	TypeString   = "String"
	TypeNumber   = "Number"
	TypeBoolean  = "Boolean"
	TypeDateTime = "DateTime"
)

const (
	customPrefix    = "custom:"
	devCustomPrefix = "dev:custom:"
	maxCustomAttrs  = 50
)

// standardSchema is the schema every pool starts with, in the order and with
// the constraints DescribeUserPool reports them.
func standardSchema() []SchemaAttribute {
	str := func(name string, mutable bool, required bool, min, max string) SchemaAttribute {
		return SchemaAttribute{Name: name, AttributeDataType: TypeString, DeveloperOnlyAttribute: ptr(false),
			Mutable: ptr(mutable), Required: ptr(required),
			StringAttributeConstraints: &StringAttributeConstraints{MinLength: ptr(min), MaxLength: ptr(max)}}
	}
	boolean := func(name string) SchemaAttribute {
		return SchemaAttribute{Name: name, AttributeDataType: TypeBoolean, DeveloperOnlyAttribute: ptr(false),
			Mutable: ptr(true), Required: ptr(false)}
	}
	return []SchemaAttribute{
		str("sub", false, true, "1", "2048"),
		str("name", true, false, "0", "2048"),
		str("given_name", true, false, "0", "2048"),
		str("family_name", true, false, "0", "2048"),
		str("middle_name", true, false, "0", "2048"),
		str("nickname", true, false, "0", "2048"),
		str("preferred_username", true, false, "0", "2048"),
		str("profile", true, false, "0", "2048"),
		str("picture", true, false, "0", "2048"),
		str("website", true, false, "0", "2048"),
		str("email", true, false, "0", "2048"),
		boolean("email_verified"),
		str("gender", true, false, "0", "2048"),
		str("birthdate", true, false, "10", "10"),
		str("zoneinfo", true, false, "0", "2048"),
		str("locale", true, false, "0", "2048"),
		str("phone_number", true, false, "0", "2048"),
		boolean("phone_number_verified"),
		str("address", true, false, "0", "2048"),
		{Name: "updated_at", AttributeDataType: TypeNumber, DeveloperOnlyAttribute: ptr(false), Mutable: ptr(true),
			Required: ptr(false), NumberAttributeConstraints: &NumberAttributeConstraints{MinValue: ptr("0")}},
		{Name: "identities", AttributeDataType: TypeString, DeveloperOnlyAttribute: ptr(false), Mutable: ptr(true),
			Required: ptr(false), StringAttributeConstraints: &StringAttributeConstraints{}},
	}
}

var customNameRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)

// buildSchema merges CreateUserPool's Schema into the standard schema:
// standard attributes may be made required or immutable; anything else is a
// custom attribute (prefixed custom:, or dev:custom: when developer-only).
func buildSchema(in []SchemaAttribute) ([]SchemaAttribute, error) {
	schema := standardSchema()
	index := map[string]int{}
	for i, a := range schema {
		index[a.Name] = i
	}
	var custom []SchemaAttribute
	seen := map[string]bool{}
	for _, a := range in {
		if a.Name == "" {
			return nil, errs.Param("1 validation error detected: Value null at 'schema.name' failed to satisfy constraint: Member must not be null")
		}
		if seen[a.Name] {
			return nil, errs.Param("Duplicate attribute name: %s", a.Name)
		}
		seen[a.Name] = true
		if i, ok := index[a.Name]; ok {
			std := &schema[i]
			if a.Name == "sub" {
				continue // sub is fixed; Cognito ignores attempts to change it here
			}
			if a.AttributeDataType != "" && a.AttributeDataType != std.AttributeDataType {
				return nil, errs.Param("Attribute %s has data type %s, which cannot be changed.", a.Name, std.AttributeDataType)
			}
			if a.Required != nil {
				std.Required = ptr(*a.Required)
			}
			if a.Mutable != nil {
				std.Mutable = ptr(*a.Mutable)
			}
			if a.StringAttributeConstraints != nil && std.StringAttributeConstraints != nil {
				std.StringAttributeConstraints = mergeStringConstraints(std.StringAttributeConstraints, a.StringAttributeConstraints)
			}
			continue
		}
		c, err := customAttribute(a)
		if err != nil {
			return nil, err
		}
		custom = append(custom, c)
	}
	if len(custom) > maxCustomAttrs {
		return nil, errs.Param("A user pool can have at most %d custom attributes.", maxCustomAttrs)
	}
	return append(schema, custom...), nil
}

func mergeStringConstraints(base, in *StringAttributeConstraints) *StringAttributeConstraints {
	out := *base
	if in.MinLength != nil {
		out.MinLength = in.MinLength
	}
	if in.MaxLength != nil {
		out.MaxLength = in.MaxLength
	}
	return &out
}

// customAttribute validates one custom attribute definition and returns it
// with Cognito's stored name and defaults.
func customAttribute(a SchemaAttribute) (SchemaAttribute, error) {
	name := strings.TrimPrefix(strings.TrimPrefix(a.Name, devCustomPrefix), customPrefix)
	if name == "" || utf8.RuneCountInString(name) > 20 || !customNameRE.MatchString(name) {
		return a, errs.Param("Invalid custom attribute name %q: a name is 1 to 20 characters without spaces.", a.Name)
	}
	dataType := a.AttributeDataType
	if dataType == "" {
		dataType = TypeString
	}
	switch dataType {
	case TypeString, TypeNumber, TypeBoolean, TypeDateTime:
	default:
		return a, errs.Param("1 validation error detected: Value '%s' at 'schema.attributeDataType' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]", dataType)
	}
	if a.Required != nil && *a.Required {
		return a, errs.Param("Required custom attributes are not supported currently.")
	}
	out := SchemaAttribute{
		Name: customPrefix + name, AttributeDataType: dataType,
		DeveloperOnlyAttribute: ptr(a.DeveloperOnlyAttribute != nil && *a.DeveloperOnlyAttribute),
		Mutable:                ptr(a.Mutable == nil || *a.Mutable),
		Required:               ptr(false),
	}
	if *out.DeveloperOnlyAttribute {
		out.Name = devCustomPrefix + name
	}
	switch dataType {
	case TypeString:
		sc := &StringAttributeConstraints{}
		if a.StringAttributeConstraints != nil {
			*sc = *a.StringAttributeConstraints
		}
		minL, maxL := int64(0), int64(2048)
		var err error
		if sc.MinLength != nil {
			if minL, err = strconv.ParseInt(*sc.MinLength, 10, 32); err != nil || minL < 0 || minL > 2048 {
				return a, errs.Param("Invalid MinLength %q for attribute %s.", *sc.MinLength, out.Name)
			}
		}
		if sc.MaxLength != nil {
			if maxL, err = strconv.ParseInt(*sc.MaxLength, 10, 32); err != nil || maxL < 1 || maxL > 2048 {
				return a, errs.Param("Invalid MaxLength %q for attribute %s.", *sc.MaxLength, out.Name)
			}
		}
		if minL > maxL {
			return a, errs.Param("MinLength must not be greater than MaxLength for attribute %s.", out.Name)
		}
		out.StringAttributeConstraints = sc
	case TypeNumber:
		nc := &NumberAttributeConstraints{}
		if a.NumberAttributeConstraints != nil {
			*nc = *a.NumberAttributeConstraints
		}
		var lo, hi *big.Float
		if nc.MinValue != nil {
			v, ok := new(big.Float).SetString(*nc.MinValue)
			if !ok {
				return a, errs.Param("Invalid MinValue %q for attribute %s.", *nc.MinValue, out.Name)
			}
			lo = v
		}
		if nc.MaxValue != nil {
			v, ok := new(big.Float).SetString(*nc.MaxValue)
			if !ok {
				return a, errs.Param("Invalid MaxValue %q for attribute %s.", *nc.MaxValue, out.Name)
			}
			hi = v
		}
		if lo != nil && hi != nil && lo.Cmp(hi) > 0 {
			return a, errs.Param("MinValue must not be greater than MaxValue for attribute %s.", out.Name)
		}
		out.NumberAttributeConstraints = nc
	}
	return out, nil
}

// Attribute finds a schema attribute by its full name.
func (c *Config) Attribute(name string) (SchemaAttribute, bool) {
	for _, a := range c.SchemaAttributes {
		if a.Name == name {
			return a, true
		}
	}
	return SchemaAttribute{}, false
}

// ValidateAttribute checks one attribute value against the pool's schema.
// It returns the value as stored (normalised where Cognito normalises).
func (c *Config) ValidateAttribute(name, value string) (string, error) {
	a, ok := c.Attribute(name)
	if !ok {
		if strings.HasPrefix(name, customPrefix) || strings.HasPrefix(name, devCustomPrefix) {
			return "", errs.Param("Attributes did not conform to the schema: Type for attribute {%s} could not be determined", name)
		}
		return "", errs.Param("Attribute does not exist in the schema: %s", name)
	}
	fail := func(format string, args ...any) error {
		return errs.Param("Attributes did not conform to the schema: %s: %s", name, fmt.Sprintf(format, args...))
	}
	switch a.AttributeDataType {
	case TypeBoolean:
		switch strings.ToLower(value) {
		case "true", "false":
			value = strings.ToLower(value)
		default:
			return "", fail("Value must be either true or false")
		}
	case TypeNumber:
		v, ok := new(big.Float).SetString(value)
		if !ok || strings.ContainsAny(value, "eE") {
			return "", fail("Number must be an integer or decimal")
		}
		if nc := a.NumberAttributeConstraints; nc != nil {
			if nc.MinValue != nil {
				if lo, ok := new(big.Float).SetString(*nc.MinValue); ok && v.Cmp(lo) < 0 {
					return "", fail("Number must be no less than %s", *nc.MinValue)
				}
			}
			if nc.MaxValue != nil {
				if hi, ok := new(big.Float).SetString(*nc.MaxValue); ok && v.Cmp(hi) > 0 {
					return "", fail("Number must be no greater than %s", *nc.MaxValue)
				}
			}
		}
	case TypeDateTime:
		if _, err := strconv.ParseInt(value, 10, 64); err != nil && !dateTimeRE.MatchString(value) {
			return "", fail("Value must be a date and time")
		}
	default:
		n := int64(utf8.RuneCountInString(value))
		maxL := int64(2048)
		if sc := a.StringAttributeConstraints; sc != nil {
			if sc.MaxLength != nil {
				maxL, _ = strconv.ParseInt(*sc.MaxLength, 10, 64)
			}
			if sc.MinLength != nil {
				if minL, _ := strconv.ParseInt(*sc.MinLength, 10, 64); n < minL && !(name == "birthdate" && n == 0) {
					return "", fail("String must be no shorter than %d characters", minL)
				}
			}
		}
		if n > maxL {
			return "", fail("String must be no longer than %d characters", maxL)
		}
	}
	switch name {
	case "email":
		if !ValidEmail(value) {
			return "", errs.Param("Invalid email address format.")
		}
	case "phone_number":
		if !ValidPhone(value) {
			return "", errs.Param("Invalid phone number format.")
		}
	case "birthdate":
		if value != "" && !birthdateRE.MatchString(value) {
			return "", fail("Value must be in the format YYYY-MM-DD")
		}
	}
	return value, nil
}

var (
	phoneRE     = regexp.MustCompile(`^\+[0-9]{4,15}$`)
	birthdateRE = regexp.MustCompile(`^([0-9]{4}|0000)-[0-9]{2}-[0-9]{2}$`)
	dateTimeRE  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9:]+)?)?$`)
)

// ValidEmail reports whether s is an email address as Cognito accepts it: a
// bare addr-spec with a local part and a domain.
func ValidEmail(s string) bool {
	if s == "" || len(s) > 2048 || strings.ContainsAny(s, " <>\t\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1
}

// ValidPhone reports whether s is an E.164 number: + and digits.
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

// AddCustomAttributes appends new custom attributes to the schema.
func (c *Config) AddCustomAttributes(in []SchemaAttribute) error {
	if len(in) == 0 {
		return errs.Param("1 validation error detected: Value at 'customAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	existing := 0
	for _, a := range c.SchemaAttributes {
		if strings.HasPrefix(a.Name, customPrefix) || strings.HasPrefix(a.Name, devCustomPrefix) {
			existing++
		}
	}
	for _, a := range in {
		ca, err := customAttribute(a)
		if err != nil {
			return err
		}
		bare := strings.TrimPrefix(strings.TrimPrefix(ca.Name, devCustomPrefix), customPrefix)
		if _, dup := c.Attribute(customPrefix + bare); dup {
			return errs.Param("Existing attribute already has name %s.", ca.Name)
		}
		if _, dup := c.Attribute(devCustomPrefix + bare); dup {
			return errs.Param("Existing attribute already has name %s.", ca.Name)
		}
		c.SchemaAttributes = append(c.SchemaAttributes, ca)
		existing++
	}
	if existing > maxCustomAttrs {
		return errs.Param("A user pool can have at most %d custom attributes.", maxCustomAttrs)
	}
	return nil
}

// RequiredAttributes lists the schema attributes users must have (not sub,
// which Cognito assigns).
func (c *Config) RequiredAttributes() []string {
	var out []string
	for _, a := range c.SchemaAttributes {
		if a.Required != nil && *a.Required && a.Name != "sub" {
			out = append(out, a.Name)
		}
	}
	return out
}

// Mutable reports whether an attribute may change once set.
func (c *Config) Mutable(name string) bool {
	a, ok := c.Attribute(name)
	return ok && (a.Mutable == nil || *a.Mutable)
}
