package helm

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

const repoUser, repoPassword = "ci", "repo-s3cret"

// privateRepo is a chart repository behind basic auth, and a second server
// that serves its packages to anyone and keeps every Authorization header
// it is sent.
type privateRepo struct {
	url string // /charts: the repository, its packages beside its index
	// mirror's index lists its packages on elsewhere; moved's packages
	// redirect there, under another host name (localhost, not 127.0.0.1).
	mirror, moved string

	mu      sync.Mutex
	fetched int      // the packages elsewhere served
	sent    []string // the Authorization headers elsewhere got
}

func newPrivateRepo(t *testing.T) *privateRepo {
	dir := packages(t)
	p := &privateRepo{}
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.fetched++
		if a := r.Header.Get("Authorization"); a != "" {
			p.sent = append(p.sent, a)
		}
		p.mu.Unlock()
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	}))
	t.Cleanup(elsewhere.Close)
	eu, _ := url.Parse(elsewhere.URL)
	otherName := "http://localhost:" + eu.Port()

	var base string
	mux := http.NewServeMux()
	mux.HandleFunc("GET /charts/index.yaml", func(w http.ResponseWriter, _ *http.Request) { w.Write(index(t, dir, base+"/charts")) })
	mux.Handle("GET /charts/", http.StripPrefix("/charts/", http.FileServer(http.Dir(dir))))
	mux.HandleFunc("GET /mirror/index.yaml", func(w http.ResponseWriter, _ *http.Request) { w.Write(index(t, dir, elsewhere.URL)) })
	mux.HandleFunc("GET /moved/index.yaml", func(w http.ResponseWriter, _ *http.Request) { w.Write(index(t, dir, base+"/moved")) })
	mux.HandleFunc("GET /moved/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherName+"/"+path.Base(r.URL.Path), http.StatusFound)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, pw, ok := r.BasicAuth(); !ok || u != repoUser || pw != repoPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	base = srv.URL
	p.url, p.mirror, p.moved = srv.URL+"/charts", srv.URL+"/mirror", srv.URL+"/moved"
	return p
}

// elsewhere is how many packages elsewhere served, and the Authorization
// headers it got.
func (p *privateRepo) elsewhere() (int, []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetched, append([]string(nil), p.sent...)
}

// credentials is the config of an entry for prefix, its password from the
// environment variable CHARTS_PASSWORD, which env holds.
func credentials(prefix, password string) Options {
	return Options{
		Repositories: []config.HelmRepository{{URL: prefix, Username: &config.Secret{Value: repoUser}, Password: &config.Secret{FromEnv: "CHARTS_PASSWORD"}}},
		LookupEnv:    func(k string) (string, bool) { return password, k == "CHARTS_PASSWORD" },
	}
}

// TestPrivateRepository installs from a chart repository behind basic auth
// with the credentials of kubemcp's configuration, read from the
// environment at the call. Without them, with wrong ones, or with an entry
// that is no whole-segment prefix of the repository, the call fails saying
// which setting to add or check. A chart URL on another server, or a
// redirect to another host name, is fetched without them. No answer holds
// the password.
func TestPrivateRepository(t *testing.T) {
	p, ns := newPrivateRepo(t), env.Namespace(t, "helm-private")
	install := func(repo string, dry bool) map[string]any {
		return map[string]any{"namespace": ns, "name": "web", "repo": repo, "chart": "demo", "version": "0.1.0", "dry_run": dry}
	}
	noAnswerHolds := func(text string) {
		t.Helper()
		basic := base64.StdEncoding.EncodeToString([]byte(repoUser + ":" + repoPassword))
		if strings.Contains(text, repoPassword) || strings.Contains(text, basic) {
			t.Fatalf("an answer holds the repository's password:\n%s", text)
		}
	}

	s := toolsettest.Serve(t, options(credentials(p.url[:strings.LastIndex(p.url, "/")], repoPassword)))
	noAnswerHolds(s.OK(t, "helm_install", install(p.url, false), nil))
	greeting(t, ns, "hello")
	for _, repo := range []string{p.mirror, p.moved} {
		var plan Change
		noAnswerHolds(s.OK(t, "helm_install", install(repo, true), &plan))
		if !strings.Contains(plan.Plan, `+  greeting: "hello"`) {
			t.Errorf("%s: the dry run did not render the chart:\n%s", repo, plan.Plan)
		}
	}
	if fetched, sent := p.elsewhere(); fetched != 2 || len(sent) > 0 {
		t.Errorf("the server the index and a redirect point at served %d packages, want 2, and got credentials %q, want none", fetched, sent)
	}

	for _, tt := range []struct {
		name string
		opts Options
		want []string
	}{
		{"none configured", Options{}, []string{"401 Unauthorized", p.url + " asks for credentials", "helmRepositories", "No tool argument carries credentials"}},
		{"not a whole-segment prefix", credentials(p.url[:len(p.url)-1], repoPassword), []string{"asks for credentials and kubemcp has none"}},
		{"wrong password", credentials(p.url, "wrong"), []string{"refused the credentials of helmRepositories entry " + p.url}},
		{"password not set", Options{Repositories: credentials(p.url, "").Repositories, LookupEnv: func(string) (string, bool) { return "", false }},
			[]string{"the password of helmRepositories entry " + p.url, "CHARTS_PASSWORD is not set"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := toolsettest.Serve(t, options(tt.opts))
			text := s.Fails(t, "helm_install", install(p.url, true))
			toolsettest.Want(t, text, tt.want...)
			noAnswerHolds(text)
		})
	}
}

// TestNoCredentialsInArguments: a repo URL or OCI reference with a user or
// password in it is refused before anything is fetched.
func TestNoCredentialsInArguments(t *testing.T) {
	s := toolsettest.Serve(t, options(Options{}))
	for _, args := range []map[string]any{
		{"repo": "https://u:p@charts.example.com", "chart": "demo"},
		{"chart": "oci://u:p@registry.example.com/charts/demo"},
	} {
		args["name"] = "x"
		toolsettest.Want(t, s.Fails(t, "helm_install", args), "no credentials in the URL", "helmRepositories")
	}
}

// TestLongestPrefixWins: the entry whose URL is the longest whole-segment
// prefix of a URL decides; scheme and host must match.
func TestLongestPrefixWins(t *testing.T) {
	o := Options{Repositories: []config.HelmRepository{
		{URL: "https://charts.example.com"}, {URL: "https://charts.example.com/team/"}, {URL: "oci://charts.example.com/team/sub"},
	}}
	for raw, want := range map[string]string{
		"https://charts.example.com/team/sub/index.yaml": "https://charts.example.com/team/",
		"https://CHARTS.example.com/teams/index.yaml":    "https://charts.example.com",
		"oci://charts.example.com/team/sub/demo":         "oci://charts.example.com/team/sub",
		"oci://charts.example.com/team/demo":             "",
		"http://charts.example.com/team/index.yaml":      "",
		"https://charts.example.com:8443/index.yaml":     "",
	} {
		a, err := o.accessFor(raw)
		got := ""
		if a.repo != nil {
			got = a.repo.URL
		}
		if err != nil || got != want {
			t.Errorf("%s: entry %q (%v), want %q", raw, got, err, want)
		}
	}
}
