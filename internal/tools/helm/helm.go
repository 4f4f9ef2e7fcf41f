package helm

import (
	"context"
	"fmt"

	"helm.sh/helm/v3/pkg/action"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Helm is the helm toolset.
type Helm struct {
	deps toolset.Deps
	opts Options
}

var _ toolset.Toolset = (*Helm)(nil)

// New returns the helm toolset.
func New(deps toolset.Deps, o Options) *Helm { return &Helm{deps: deps, opts: o} }

// Name implements toolset.Toolset.
func (h *Helm) Name() string { return "helm" }

// Description implements toolset.Toolset.
func (h *Helm) Description() string {
	return "Helm releases: list, status, history, values; install, upgrade, rollback and uninstall from chart repositories, OCI registries and the operator's chart directories"
}

// Tools implements toolset.Toolset.
func (h *Helm) Tools() []toolset.Tool {
	return []toolset.Tool{
		h.listTool(), h.statusTool(), h.historyTool(), h.valuesTool(), h.manifestTool(),
		h.installTool(), h.upgradeTool(), h.rollbackTool(), h.uninstallTool(),
	}
}

// Release names one release.
type Release struct {
	toolset.Target
	Namespace string `json:"namespace,omitempty" jsonschema:"the release's namespace (default: the context's)"`
	Name      string `json:"name" jsonschema:"the release name"`
}

// config is a Helm action configuration for the caller on cluster, in
// namespace ("" with all: every namespace; "" without: the context's), and
// the namespace it chose. Helm's requests, its release Secrets' included,
// go through the caller's guarded client.
func (h *Helm) config(ctx context.Context, cluster, namespace string, all bool) (*action.Configuration, string, error) {
	kc, err := h.deps.Clusters.Get(ctx, cluster)
	if err != nil {
		return nil, "", err
	}
	if namespace == "" && !all {
		namespace = kc.Namespace
	}
	cfg := new(action.Configuration)
	if err := cfg.Init(clientGetter{kc, namespace}, namespace, "secret", debugLog); err != nil {
		return nil, "", fmt.Errorf("preparing Helm for cluster %q: %w", cluster, err)
	}
	return cfg, namespace, nil
}

// debugLog drops Helm's debug lines, which print rendered manifests.
func debugLog(string, ...any) {}

// clientGetter hands Helm the caller's client: its guarded REST config, and the
// cluster's shared discovery and RESTMapper.
type clientGetter struct {
	kc        *kube.Client
	namespace string
}

func (g clientGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.kc.Config), nil }

func (g clientGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.kc.Discovery, nil
}

func (g clientGetter) ToRESTMapper() (meta.RESTMapper, error) { return g.kc.Mapper, nil }

// ToRawKubeConfigLoader gives Helm the namespace only: it has no kubeconfig
// to read, and must not find the host's.
func (g clientGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewDefaultClientConfig(clientcmdapi.Config{}, &clientcmd.ConfigOverrides{Context: clientcmdapi.Context{Namespace: g.namespace}})
}

var _ toolset.OptIn = (*Helm)(nil)

// OptIn implements toolset.OptIn: the helm toolset is served only when asked
// for, as it fetches charts from wherever a caller names.
func (h *Helm) OptIn() bool { return true }
