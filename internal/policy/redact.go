// Package policy decides what kubemcp may do and show: read-only mode and
// deny/allow rules for Kubernetes requests (a RoundTripper beneath every
// client), and the redaction of credentials from everything it outputs.
package policy

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Redact removes credentials from obj in place: every value of a Secret's data
// and stringData (keys stay: they say what the Secret is for), and credentials
// inside any other string value (see RedactText).
func Redact(obj *unstructured.Unstructured) {
	if isSecret(obj) {
		for _, field := range secretFields {
			if values, ok := obj.Object[field].(map[string]any); ok {
				for k, v := range values {
					values[k] = fmt.Sprintf("<redacted: %d bytes>", valueSize(field, v))
				}
			}
		}
	}
	redactStrings(obj.Object)
}

// RedactRevealing is Redact for a caller who asked to see a Secret's values
// and was allowed to: its data and stringData stay as they are; credentials
// anywhere else in the object are still redacted.
func RedactRevealing(obj *unstructured.Unstructured) {
	if !isSecret(obj) {
		Redact(obj)
		return
	}
	for k, v := range obj.Object {
		if k != "data" && k != "stringData" {
			obj.Object[k] = redactStrings(v)
		}
	}
}

var secretFields = []string{"data", "stringData"}

func isSecret(obj *unstructured.Unstructured) bool {
	return obj.GetKind() == "Secret" && obj.GroupVersionKind().Group == ""
}

// valueSize is the size of the secret value itself: data holds it base64-encoded.
func valueSize(field string, v any) int {
	s, _ := v.(string)
	if field == "data" {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return len(b)
		}
	}
	return len(s)
}

// redactStrings applies RedactText to every string in a decoded JSON value.
func redactStrings(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = redactStrings(e)
		}
	case []any:
		for i, e := range v {
			v[i] = redactStrings(e)
		}
	case string:
		return RedactText(v)
	}
	return v
}

var (
	// A JSON Web Token: service-account tokens, OIDC ID tokens.
	jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)
	// An Authorization header value.
	bearerPattern = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*`)
	// A PEM private key block, or the start of one that a budget cut.
	pemKeyPattern = regexp.MustCompile(`-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END ([A-Z ]*)PRIVATE KEY-----|$)`)
	// Credential fields of a kubeconfig (or any YAML/JSON-ish text) and
	// password=... style settings, the value on the same line: a YAML key
	// that opens a block (serviceAccountToken:) has no value of its own.
	credentialField = regexp.MustCompile(`(?i)("?[a-z0-9_-]*` + credentialName + `"?[ \t]*[:=][ \t]*"?)([^\s"',}]{4,})`)
	// The password of a URL's user information: https://user:password@host.
	urlPassword = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+):([^/\s@]+)@`)
)

// credentialName is how the name of a field that holds a credential ends.
const credentialName = `(?:token|client-key-data|password|passwd|secret|api[-_]?key|access[-_]?key)`

// RedactText replaces credentials found in free text: JWTs, bearer and basic
// authorization values, PEM private keys, passwords in URLs, and the values
// of fields named like token, client-key-data, password, secret or api key.
// It errs towards hiding.
func RedactText(s string) string {
	if !mayHoldCredential(s) {
		return s
	}
	for _, r := range redactions {
		if r.mayMatch(s) {
			s = r.replace(s)
		}
	}
	return s
}

// redactions are RedactText's steps, in order. Each runs only when the text
// holds what any match of its expression must: a case-insensitive
// expression tries every position of a long text (a page of pods is 16 KB),
// and one word that is there (the "eyJ" of a continue token) is no reason
// to run them all.
var redactions = []struct {
	mayMatch func(string) bool
	replace  func(string) string
}{
	{hint(false, "PRIVATE KEY"), func(s string) string { return pemKeyPattern.ReplaceAllString(s, "<redacted private key>") }},
	{hint(false, "eyJ"), func(s string) string { return jwtPattern.ReplaceAllString(s, "<redacted token>") }},
	{hint(true, "bearer", "basic"), func(s string) string { return bearerPattern.ReplaceAllString(s, "$1 <redacted>") }},
	{hint(false, "://"), func(s string) string { return urlPassword.ReplaceAllString(s, "$1:<redacted>@") }},
	{hint(true, "token", "passw", "secret", "key"), func(s string) string {
		return credentialField.ReplaceAllStringFunc(s, func(m string) string {
			sub := credentialField.FindStringSubmatch(m)
			if isPlainSetting(sub[2]) {
				return m // automountServiceAccountToken: false is a setting, not a credential
			}
			return sub[1] + "<redacted>"
		})
	}},
}

// hint reports whether s holds any of words, ignoring case if fold.
func hint(fold bool, words ...string) func(string) bool {
	return func(s string) bool {
		if fold {
			s = strings.ToLower(s)
		}
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
}

func isPlainSetting(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "null", "none", "<redacted>":
		return true
	}
	return strings.Trim(v, "0123456789.") == ""
}

// minCredential is the length below which a string is not taken to hold a
// credential: "token: abc" is too short to be one.
const minCredential = 12

// mayHoldCredential is a cheap test that spares the regular expressions for
// the great majority of strings.
func mayHoldCredential(s string) bool {
	if len(s) < minCredential {
		return false
	}
	l := strings.ToLower(s)
	for _, hint := range []string{"eyj", "bearer", "basic", "private key", "token", "key-data", "passw", "secret", "key", "://"} {
		if strings.Contains(l, hint) {
			return true
		}
	}
	return false
}
