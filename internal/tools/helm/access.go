package helm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"

	"helm.sh/helm/v3/pkg/getter"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/kubemcp/kubemcp/internal/config"
)

// Options configure the helm toolset.
type Options struct {
	// Repositories are the private chart repositories and OCI registries,
	// and what kubemcp sends each (the config's helmRepositories).
	Repositories []config.HelmRepository
	// ChartDirs are the directories local charts may be read from (the
	// config's helmChartDirs); none, and a local chart is refused.
	ChartDirs []string
	// LookupEnv finds a credential's fromEnv; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// access is what kubemcp sends to one URL it fetches: the settings of the
// configured entry whose URL is the longest prefix of it, if any, with its
// credentials read now (so that a rotated file is picked up).
type access struct {
	repo               *config.HelmRepository // nil: none; nothing is sent
	username, password string
}

// accessFor finds what to send to raw. Only the entry covering raw itself
// counts: an index's chart URL elsewhere is looked up on its own.
func (o Options) accessFor(raw string) (access, error) {
	var a access
	u, err := url.Parse(raw)
	if err != nil {
		return a, fmt.Errorf("%q: not a URL", raw)
	}
	best := -1
	for i := range o.Repositories {
		if n := covers(o.Repositories[i].URL, u); n > best {
			best, a.repo = n, &o.Repositories[i]
		}
	}
	if a.repo == nil || a.repo.Username == nil {
		return a, nil
	}
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if a.username, err = a.repo.Username.Read(lookup); err != nil {
		return a, fmt.Errorf("the username of helmRepositories entry %s: %w", a.repo.URL, err)
	}
	if a.password, err = a.repo.Password.Read(lookup); err != nil {
		return a, fmt.Errorf("the password of helmRepositories entry %s: %w", a.repo.URL, err)
	}
	return a, nil
}

// covers is the length of prefix's path when prefix covers u (the same
// scheme and host, and its path a whole-segment prefix of u's), else -1.
func covers(prefix string, u *url.URL) int {
	p, err := url.Parse(prefix)
	if err != nil || p.Scheme != u.Scheme || !strings.EqualFold(p.Host, u.Host) {
		return -1
	}
	path := strings.TrimSuffix(p.Path, "/")
	if u.Path != path && !strings.HasPrefix(u.Path, path+"/") {
		return -1
	}
	return len(path)
}

// tlsFiles are the entry's TLS settings as Helm's getters take them.
func (a access) tlsFiles() (cert, key, ca string, insecure bool) {
	if r := a.repo; r != nil {
		return r.CertFile, r.KeyFile, r.CAFile, r.InsecureSkipTLSVerify
	}
	return "", "", "", false
}

// getterOptions fetch href with a's credentials and TLS settings. Helm sends
// the credentials only to href's own scheme and host (PassCredentialsAll
// stays false); Go's client drops them on a redirect to another host name.
func (a access) getterOptions(href string) []getter.Option {
	cert, key, ca, insecure := a.tlsFiles()
	return []getter.Option{
		getter.WithURL(href), getter.WithTimeout(downloadTimeout),
		getter.WithBasicAuth(a.username, a.password),
		getter.WithTLSClientConfig(cert, key, ca), getter.WithInsecureSkipVerifyTLS(insecure),
	}
}

// authorizer answers an OCI registry's challenges with a's credentials,
// for registry itself only (and the token service it names, as OCI's token
// flow has it), and with none for any other host: never with the logins in
// the host's Docker or Helm configuration.
func (a access) authorizer(registry string) (auth.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	var err error
	if transport.TLSClientConfig, err = a.tlsConfig(); err != nil {
		return auth.Client{}, err
	}
	return auth.Client{
		Client: &http.Client{Transport: transport, Timeout: downloadTimeout},
		Cache:  auth.NewCache(),
		Credential: func(_ context.Context, host string) (auth.Credential, error) {
			if a.username == "" || host != registry {
				return auth.EmptyCredential, nil
			}
			return auth.Credential{Username: a.username, Password: a.password}, nil
		},
	}, nil
}

// tlsConfig is the entry's TLS settings for an OCI registry; nil, the
// system's defaults.
func (a access) tlsConfig() (*tls.Config, error) {
	r := a.repo
	if r == nil {
		return nil, nil
	}
	conf := &tls.Config{InsecureSkipVerify: r.InsecureSkipTLSVerify} // #nosec G402 -- the operator's explicit setting
	if r.CAFile != "" {
		pool, err := config.CAPool(r.CAFile)
		if err != nil {
			return nil, fmt.Errorf("the caFile of helmRepositories entry %s: %w", r.URL, err)
		}
		conf.RootCAs = pool
	}
	if r.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(r.CertFile, r.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("the certFile and keyFile of helmRepositories entry %s: %w", r.URL, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// refused explains where's 401 or 403: which setting gives kubemcp
// credentials for it, or that the configured ones were refused. Other
// errors pass as they are. It names no credential.
func (a access) refused(err error, where string) error {
	if err == nil || !asksForCredentials(err) {
		return err
	}
	if a.repo == nil || a.repo.Username == nil {
		return fmt.Errorf("%w\n%s asks for credentials and kubemcp has none for it: kubemcp's operator adds an entry whose url is a prefix of it to helmRepositories in kubemcp's config file, with username and password (fromEnv or fromFile). No tool argument carries credentials", err, where)
	}
	return fmt.Errorf("%w\n%s refused the credentials of helmRepositories entry %s: kubemcp's operator checks them, and that their account may read this chart", err, where, a.repo.URL)
}

// asksForCredentials reports whether err is a repository's or registry's
// 401 or 403, as Helm's getter or ORAS reports it.
func asksForCredentials(err error) bool {
	var resp *errcode.ErrorResponse
	if errors.As(err, &resp) {
		return resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden
	}
	msg := err.Error()
	return errors.Is(err, auth.ErrBasicCredentialNotFound) || strings.Contains(msg, " 401 Unauthorized") || strings.Contains(msg, " 403 Forbidden")
}
