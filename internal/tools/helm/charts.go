package helm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
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
// name in it, or an OCI reference.
type ChartRef struct {
	Chart   string `json:"chart" jsonschema:"the chart's name in repo, or an OCI reference oci://registry/path/chart"`
	Repo    string `json:"repo,omitempty" jsonschema:"the chart repository's URL, e.g. https://charts.bitnami.com/bitnami; not with an oci:// chart"`
	Version string `json:"version,omitempty" jsonschema:"a version or constraint, e.g. 1.2.3 or ^1.2; default: the latest"`
}

// chartName is what a chart in a repository may be called: a name, never a
// path (Helm's own lookup would read a local directory of that name first).
var chartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

const downloadTimeout = 60 * time.Second

// load fetches the chart over the network only.
func (c ChartRef) load() (*chart.Chart, error) {
	switch {
	case strings.HasPrefix(c.Chart, "oci://"):
		if c.Repo != "" {
			return nil, errors.New("chart is an oci:// reference: leave repo out")
		}
		return c.pullOCI()
	case c.Repo != "":
		return c.fromRepo()
	}
	return nil, fmt.Errorf("chart %q: give repo, a chart repository's URL with chart the chart's name in it, or an oci:// reference as chart; kubemcp does not read charts from files on its own host", c.Chart)
}

// httpOnly are the only getters used: Helm's full set adds plugins, which
// are programs on kubemcp's host.
var httpOnly = getter.Providers{{Schemes: []string{"http", "https"}, New: getter.NewHTTPGetter}}

func (c ChartRef) fromRepo() (*chart.Chart, error) {
	u, err := url.Parse(c.Repo)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("repo %q: want a chart repository's http(s) URL", c.Repo)
	}
	if !chartName.MatchString(c.Chart) {
		return nil, fmt.Errorf("chart %q: with repo, give the chart's name as the repository's index lists it", c.Chart)
	}
	chartURL, err := repo.FindChartInRepoURL(c.Repo, c.Chart, c.Version, "", "", "", httpOnly)
	if err != nil {
		return nil, fmt.Errorf("finding chart %q %s in %s: %w", c.Chart, c.Version, c.Repo, err)
	}
	g, err := getter.NewHTTPGetter(getter.WithTimeout(downloadTimeout))
	if err != nil {
		return nil, err
	}
	buf, err := g.Get(chartURL)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", chartURL, err)
	}
	return archive(buf, chartURL)
}

func (c ChartRef) pullOCI() (*chart.Chart, error) {
	client, err := registry.NewClient(registry.ClientOptWriter(io.Discard))
	if err != nil {
		return nil, err
	}
	ref := strings.TrimPrefix(c.Chart, "oci://")
	if c.Version != "" && !strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":") {
		ref += ":" + c.Version
	}
	res, err := client.Pull(ref)
	if err != nil {
		return nil, fmt.Errorf("pulling %s: %w", c.Chart, err)
	}
	return archive(bytes.NewBuffer(res.Chart.Data), c.Chart)
}

func archive(r io.Reader, from string) (*chart.Chart, error) {
	ch, err := loader.LoadArchive(r)
	if err != nil {
		return nil, fmt.Errorf("reading the chart from %s: %w", from, err)
	}
	return ch, nil
}
