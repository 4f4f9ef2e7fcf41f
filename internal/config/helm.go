package config

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// HelmRepository is a private chart repository or OCI registry and what the
// helm toolset sends it (file only). Credentials come from here alone: no
// tool argument carries one, so the model never sees them.
type HelmRepository struct {
	// URL is the prefix it covers: a chart repository's
	// https://charts.example.com/private, or oci://registry.example.com/charts.
	// The longest prefix of a URL kubemcp fetches decides what it sends.
	URL      string  `json:"url"`
	Username *Secret `json:"username,omitempty"`
	Password *Secret `json:"password,omitempty"`
	// CAFile, CertFile and KeyFile are PEM files: the CAs to trust (instead
	// of the system's) and a client certificate.
	CAFile                string `json:"caFile,omitempty"`
	CertFile              string `json:"certFile,omitempty"`
	KeyFile               string `json:"keyFile,omitempty"`
	InsecureSkipTLSVerify bool   `json:"insecureSkipTLSVerify,omitempty"`
	// PlainHTTP talks to an oci:// registry over HTTP rather than HTTPS.
	PlainHTTP bool `json:"plainHTTP,omitempty"`
}

// validateHelmRepositories names every bad entry by its URL (or position).
func (c *Config) validateHelmRepositories() []error {
	var errs []error
	seen := map[string]bool{}
	for i, r := range c.HelmRepositories {
		where := fmt.Sprintf("helmRepositories[%d]", i)
		if r.URL != "" {
			where += fmt.Sprintf(" (%s)", SafeURL(r.URL))
		}
		key := strings.TrimSuffix(r.URL, "/")
		if seen[key] {
			errs = append(errs, fmt.Errorf("%s: listed twice; give each URL one entry", where))
		}
		seen[key] = true
		for _, err := range r.validate() {
			errs = append(errs, fmt.Errorf("%s: %w", where, err))
		}
	}
	return errs
}

func (r *HelmRepository) validate() []error {
	var errs []error
	u, err := url.Parse(r.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "oci"):
		errs = append(errs, errors.New("url: want a chart repository's http(s) URL or an oci:// registry path, e.g. https://charts.example.com/private or oci://registry.example.com/charts"))
	case u.User != nil:
		errs = append(errs, errors.New("url: give credentials in username and password, not in the URL"))
	case u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, errors.New("url: a prefix has no query or fragment"))
	case r.PlainHTTP && u.Scheme != "oci":
		errs = append(errs, errors.New("plainHTTP: for oci:// registries only; a chart repository's URL says http or https itself"))
	}
	if (r.Username == nil) != (r.Password == nil) {
		errs = append(errs, errors.New("give username and password together"))
	}
	if r.Username != nil {
		if err := r.Username.validate(); err != nil {
			errs = append(errs, fmt.Errorf("username: %w", err))
		}
	}
	if r.Password != nil {
		if err := r.Password.validate(); err != nil {
			errs = append(errs, fmt.Errorf("password: %w", err))
		}
	}
	if (r.CertFile == "") != (r.KeyFile == "") {
		errs = append(errs, errors.New("give certFile and keyFile together"))
	}
	return errs
}

// validateHelmChartDirs wants absolute paths: a relative one would depend on
// the directory kubemcp happens to start in.
func (c *Config) validateHelmChartDirs() []error {
	var errs []error
	for _, d := range c.HelmChartDirs {
		if !filepath.IsAbs(d) {
			errs = append(errs, fmt.Errorf("helmChartDirs: %q is not an absolute path; give each directory from /", d))
		}
	}
	return errs
}
