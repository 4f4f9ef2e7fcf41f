package config

import (
	"net/url"
	"strings"
)

// SafeURL is rawURL without user info, query or fragment, any of which may
// hold a credential (a password, a token=): for logs, errors and status.
func SafeURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

func urlScheme(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme
}

// loopback says whether raw's host is this machine, which no one on the
// network sits between.
func loopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return loopbackHost(u.Hostname())
}

// safeFlagValue is an --upstream value as an error may show it: a URL in
// it redacted as SafeURL does.
func safeFlagValue(v string) string {
	if strings.Contains(v, "://") && !strings.Contains(strings.SplitN(v, "://", 2)[0], "=") {
		return SafeURL(v) // a URL without the name=
	}
	if name, target, ok := strings.Cut(v, "="); ok && strings.Contains(target, "://") {
		return name + "=" + SafeURL(strings.TrimSpace(target))
	}
	return v
}
