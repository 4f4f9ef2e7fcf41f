package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/resources"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

const module = "github.com/kubemcp/kubemcp/"

// TestImportGraphReadsTopDown keeps the packages layered: app wires config,
// clusters and the toolsets; a toolset shares what it knows through a lower
// package (podstate, render, kube), never through another toolset; config
// is the settings and nothing it configures.
func TestImportGraphReadsTopDown(t *testing.T) {
	deps := moduleDeps(t)
	for pkg, ds := range deps {
		for _, d := range ds {
			if tool(pkg) != "" && tool(d) != "" && tool(d) != tool(pkg) {
				t.Errorf("%s imports %s: one toolset must not import another; move what they share to a package beneath both", pkg, d)
			}
		}
	}
	rules := map[string][]string{
		"internal/config":   {"internal/clusters", "internal/render", "internal/toolset", "internal/tools/"},
		"internal/clusters": {"internal/config"},
	}
	for pkg, banned := range rules {
		for _, d := range deps[pkg] {
			for _, b := range banned {
				if d == b || strings.HasSuffix(b, "/") && strings.HasPrefix(d, b) {
					t.Errorf("%s imports %s", pkg, d)
				}
			}
		}
	}
}

// tool is the toolset a package belongs to (internal/tools/pods for
// internal/tools/pods and what is beneath it), or "".
func tool(pkg string) string {
	rest, ok := strings.CutPrefix(pkg, "internal/tools/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return "internal/tools/" + name
}

// moduleDeps is every package of the module under internal/, with the
// module's packages it imports directly or indirectly, relative to the module.
func moduleDeps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps", module+"internal/...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Deps       []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkg := strings.TrimPrefix(p.ImportPath, module)
		deps[pkg] = []string{}
		for _, d := range p.Deps {
			if rel, ok := strings.CutPrefix(d, module); ok {
				deps[pkg] = append(deps[pkg], rel)
			}
		}
	}
	if _, ok := deps["internal/config"]; !ok {
		t.Fatalf("go list did not list internal/config: %s", out)
	}
	return deps
}

// TestConfigDefaultsAgree: config states its defaults itself rather than
// importing the packages they are for, which keep the same for a zero
// option; this is where the two are held together.
func TestConfigDefaultsAgree(t *testing.T) {
	d := config.Default()
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"clusterTimeout", d.ClusterTimeout, clusters.DefaultTimeout},
		{"fanOut", d.FanOut, clusters.DefaultConcurrency},
		{"kubeconfigPoll", d.KubeconfigPoll, clusters.DefaultPoll},
		{"clientCacheSize", d.ClientCacheSize, clusters.DefaultCacheSize},
		{"clientCacheTTL", d.ClientCacheTTL, clusters.DefaultCacheTTL},
		{"cacheAccessTTL", d.CacheAccessTTL, cache.DefaultAccessTTL},
		{"cacheStaleAfter", d.CacheStaleAfter, cache.DefaultStaleAfter},
		{"cacheMaxObjects", d.CacheMaxObjects, cache.DefaultMaxObjects},
		{"outputBudget", d.OutputBudget, render.DefaultBudget},
		{"userSubscriptions", d.UserSubscriptions, resources.DefaultMaxPerUser},
		{"userWatchers", d.UserWatchers, tracker.DefaultMaxWatchersPerUser},
		{"userWatches", d.UserWatches, tracker.DefaultMaxWatchesPerUser},
	} {
		if c.got != c.want {
			t.Errorf("config's default %s is %v, its package's %v", c.name, c.got, c.want)
		}
	}
	d.OutputBudget = render.MaxBudget
	if err := d.Validate(); err != nil {
		t.Errorf("outputBudget render.MaxBudget: %v", err)
	}
	d.OutputBudget++
	if err := d.Validate(); err == nil {
		t.Error("outputBudget above render.MaxBudget, the most a call may ask for, is valid")
	}
}
