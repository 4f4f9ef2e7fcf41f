package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
)

// ChartRef says where a chart comes from: a chart repository and a chart
// name in it, an OCI reference, or a path inside the chart directories.
type ChartRef struct {
	Chart   string `json:"chart" jsonschema:"the chart's name in repo; an OCI reference oci://registry/path/chart; or, without repo, a local chart directory or .tgz inside the directories kubemcp's operator allows (helmChartDirs), absolute or relative to one of them"`
	Repo    string `json:"repo,omitempty" jsonschema:"the chart repository's URL, e.g. https://charts.bitnami.com/bitnami; not with an oci:// chart"`
	Version string `json:"version,omitempty" jsonschema:"a version or constraint, e.g. 1.2.3 or ^1.2; default: the latest; not with a local chart"`
}

// chartName is what a chart in a repository may be called: a name, never a
// path (Helm's own lookup would read a local directory of that name first).
var chartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

const downloadTimeout = 60 * time.Second

// load fetches the chart from a repository or registry, with what o
// configures for its URLs, or reads it from inside o.ChartDirs.
func (c ChartRef) load(o Options) (*chart.Chart, error) {
	switch {
	case strings.HasPrefix(c.Chart, "oci://"):
		if c.Repo != "" {
			return nil, errors.New("chart is an oci:// reference: leave repo out")
		}
		return c.pullOCI(o)
	case c.Repo != "":
		return c.fromRepo(o)
	}
	return c.local(o)
}

// httpOnly are the only getters used: Helm's full set adds plugins, which
// are programs on kubemcp's host.
var httpOnly = getter.Providers{{Schemes: []string{"http", "https"}, New: getter.NewHTTPGetter}}

// noCredentialsInURL refuses a URL that carries a user or password: a tool
// argument never carries credentials (helmRepositories does).
func noCredentialsInURL(u *url.URL, arg string) error {
	if u.User != nil {
		return fmt.Errorf("%s: give no credentials in the URL; kubemcp's operator configures them in helmRepositories", arg)
	}
	return nil
}

func (c ChartRef) fromRepo(o Options) (*chart.Chart, error) {
	u, err := url.Parse(c.Repo)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("repo %q: want a chart repository's http(s) URL", c.Repo)
	}
	if err := noCredentialsInURL(u, "repo"); err != nil {
		return nil, err
	}
	if !chartName.MatchString(c.Chart) {
		return nil, fmt.Errorf("chart %q: with repo, give the chart's name as the repository's index lists it", c.Chart)
	}
	chartURL, err := c.find(o)
	if err != nil {
		return nil, err
	}
	a, err := o.accessFor(chartURL)
	if err != nil {
		return nil, err
	}
	g, err := getter.NewHTTPGetter(a.getterOptions(chartURL)...)
	if err != nil {
		return nil, err
	}
	buf, err := g.Get(chartURL)
	if err != nil {
		return nil, a.refused(fmt.Errorf("downloading %s: %w", chartURL, err), chartURL)
	}
	return archive(buf, chartURL)
}

// find reads the repository's index, with what o configures for the repo
// URL, and answers the chart's URL.
func (c ChartRef) find(o Options) (string, error) {
	a, err := o.accessFor(c.Repo)
	if err != nil {
		return "", err
	}
	cert, key, ca, insecure := a.tlsFiles()
	chartURL, err := repo.FindChartInAuthAndTLSAndPassRepoURL(c.Repo, a.username, a.password, c.Chart, c.Version,
		cert, key, ca, insecure, false, httpOnly)
	if err != nil {
		return "", a.refused(fmt.Errorf("finding chart %q %s in %s: %w", c.Chart, c.Version, c.Repo, err), c.Repo)
	}
	return chartURL, nil
}

func (c ChartRef) pullOCI(o Options) (*chart.Chart, error) {
	u, err := url.Parse(c.Chart)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("chart %q: want an OCI reference oci://registry/path/chart", c.Chart)
	}
	if err := noCredentialsInURL(u, "chart"); err != nil {
		return nil, err
	}
	a, err := o.accessFor(c.Chart)
	if err != nil {
		return nil, err
	}
	client, err := a.registryClient(u.Host)
	if err != nil {
		return nil, err
	}
	ref := strings.TrimPrefix(c.Chart, "oci://")
	if c.Version != "" && !strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
		ref += ":" + c.Version
	}
	res, err := client.Pull(ref)
	if err != nil {
		return nil, a.refused(fmt.Errorf("pulling %s: %w", c.Chart, err), c.Chart)
	}
	return archive(bytes.NewBuffer(res.Chart.Data), c.Chart)
}

// registryClient pulls from host with a's settings. Its credentials store
// is an empty one in memory (Helm's own fallback for an empty file), never
// the host's registry config, and is not asked: the authorizer is ours.
func (a access) registryClient(host string) (*registry.Client, error) {
	authorizer, err := a.authorizer(host)
	if err != nil {
		return nil, err
	}
	opts := []registry.ClientOption{registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(os.DevNull), registry.ClientOptAuthorizer(authorizer)}
	if a.repo != nil && a.repo.PlainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	return registry.NewClient(opts...)
}

func archive(r io.Reader, from string) (*chart.Chart, error) {
	ch, err := loader.LoadArchive(r)
	if err != nil {
		return nil, fmt.Errorf("reading the chart from %s: %w", from, err)
	}
	return ch, nil
}
