package clusters

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// snapshot is what the sources said at one moment: the clusters, their
// configs, and which is the default.
type snapshot struct {
	clusters []Cluster // sorted by name
	configs  map[string]*rest.Config
	def      string
	stamp    string // digest of the files read; equal stamps mean nothing changed
}

// namespace is the named cluster's default namespace.
func (s *snapshot) namespace(name string) string {
	i := slices.IndexFunc(s.clusters, func(c Cluster) bool { return c.Name == name })
	if i < 0 {
		return ""
	}
	return s.clusters[i].Namespace
}

func (s *snapshot) names() []string {
	names := make([]string, len(s.clusters))
	for i, c := range s.clusters {
		names[i] = c.Name
	}
	return names
}

// kubeconfigFiles lists the kubeconfig files to read: each entry of explicit
// (or else of $KUBECONFIG, or else ~/.kube/config), where an entry is a file
// or a directory of files, and entries are separated like $PATH. Missing
// entries are left out, as kubectl does, except an explicit one.
func kubeconfigFiles(explicit string) ([]string, error) {
	list := explicit
	if list == "" {
		list = os.Getenv(clientcmd.RecommendedConfigPathEnvVar)
	}
	if list == "" {
		list = clientcmd.RecommendedHomeFile
	}
	var files []string
	for _, entry := range filepath.SplitList(list) {
		found, err := filesOf(entry)
		if errors.Is(err, fs.ErrNotExist) && explicit == "" {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: %w", entry, err)
		}
		files = append(files, found...)
	}
	return files, nil
}

// filesOf is path itself, or the regular files in it when it is a directory
// (sorted; hidden files, like an editor's swap file, left out). Symbolic
// links count as what they point to: a mounted Secret or ConfigMap holds
// only links into its hidden ..data directory.
func filesOf(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		f := filepath.Join(p, e.Name())
		if info, err := os.Stat(f); err == nil && info.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	return files, nil
}

// load reads every source. It contacts no cluster.
func (o Options) load() (*snapshot, []error, error) {
	files, err := kubeconfigFiles(o.Kubeconfig)
	if err != nil {
		return nil, nil, err
	}
	raw, stamp, err := readKubeconfigs(files)
	if err != nil {
		return nil, nil, err
	}
	s := &snapshot{configs: map[string]*rest.Config{}, stamp: stamp}
	warnings := s.addKubeconfig(raw, o)
	if err := s.addInCluster(o); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(s.clusters, func(a, b Cluster) int { return strings.Compare(a.Name, b.Name) })
	if err := s.pickDefault(raw.CurrentContext, o); err != nil {
		return nil, nil, errors.Join(append([]error{err}, warnings...)...)
	}
	return s, warnings, nil
}

// readKubeconfigs merges files the way kubectl does (the first file to set a
// name wins) and digests their contents.
func readKubeconfigs(files []string) (*clientcmdapi.Config, string, error) {
	h := sha256.New()
	merged := clientcmdapi.NewConfig()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, "", fmt.Errorf("reading kubeconfig: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
		h.Write(data)
		cfg, err := clientcmd.Load(data)
		if err != nil {
			return nil, "", fmt.Errorf("kubeconfig %s: %w", f, err)
		}
		resolveRelativePaths(cfg, filepath.Dir(f))
		mergeInto(merged, cfg)
	}
	return merged, hex.EncodeToString(h.Sum(nil)), nil
}

// resolveRelativePaths makes the file references in cfg absolute, relative to
// the kubeconfig's own directory, as kubectl does.
func resolveRelativePaths(cfg *clientcmdapi.Config, dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for _, c := range cfg.Clusters {
		abs(&c.CertificateAuthority)
	}
	for _, a := range cfg.AuthInfos {
		abs(&a.ClientCertificate)
		abs(&a.ClientKey)
		abs(&a.TokenFile)
	}
}

func mergeInto(dst, src *clientcmdapi.Config) {
	if dst.CurrentContext == "" {
		dst.CurrentContext = src.CurrentContext
	}
	for k, v := range src.Clusters {
		if _, ok := dst.Clusters[k]; !ok {
			dst.Clusters[k] = v
		}
	}
	for k, v := range src.AuthInfos {
		if _, ok := dst.AuthInfos[k]; !ok {
			dst.AuthInfos[k] = v
		}
	}
	for k, v := range src.Contexts {
		if _, ok := dst.Contexts[k]; !ok {
			dst.Contexts[k] = v
		}
	}
}

// addKubeconfig adds every context the patterns admit. A context that cannot
// be used (a missing cluster or user entry) is left out with a warning.
func (s *snapshot) addKubeconfig(raw *clientcmdapi.Config, o Options) []error {
	var warnings []error
	for _, name := range slices.Sorted(maps.Keys(raw.Contexts)) {
		if !o.admits(name) {
			continue
		}
		cc := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, nil)
		cfg, err := cc.ClientConfig()
		var ns string
		if err == nil {
			ns, _, err = cc.Namespace() // "default" when the context names none
		}
		if err != nil {
			warnings = append(warnings, fmt.Errorf("context %q: %w", name, err))
			continue
		}
		s.configs[name] = cfg
		s.clusters = append(s.clusters, Cluster{Name: name, Server: cfg.Host, Namespace: ns})
	}
	return warnings
}

// addInCluster adds the pod's own cluster when kubemcp runs in one.
func (s *snapshot) addInCluster(o Options) error {
	if !o.admits(InClusterName) {
		return nil
	}
	cfg, err := o.inCluster()
	if err != nil {
		return nil // not in a pod
	}
	if _, taken := s.configs[InClusterName]; taken {
		return fmt.Errorf("a kubeconfig context is named %q, the name kubemcp gives the cluster it runs in; rename the context", InClusterName)
	}
	s.configs[InClusterName] = cfg
	ns := metav1.NamespaceDefault
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil {
		ns = cmp.Or(strings.TrimSpace(string(b)), ns)
	}
	s.clusters = append(s.clusters, Cluster{Name: InClusterName, Server: cfg.Host, Namespace: ns})
	return nil
}

func (o Options) inCluster() (*rest.Config, error) {
	if o.InCluster != nil {
		return o.InCluster()
	}
	return rest.InClusterConfig()
}

// pickDefault chooses the cluster a call without one goes to: --context,
// else the kubeconfig's current context, else the cluster kubemcp runs in.
func (s *snapshot) pickDefault(current string, o Options) error {
	if len(s.clusters) == 0 {
		if o.Context != "" {
			return fmt.Errorf("--context %q given but no kubeconfig has it: %w", o.Context, ErrNoClusters)
		}
		return ErrNoClusters
	}
	def := cmp.Or(o.Context, current)
	if o.Context == "" && s.configs[def] == nil && s.configs[InClusterName] != nil {
		def = InClusterName
	}
	switch {
	case def == "":
		return fmt.Errorf("the kubeconfig has no current context; pass --context (one of: %s)", strings.Join(s.names(), ", "))
	case s.configs[def] == nil && !o.admits(def):
		return fmt.Errorf("context %q is excluded by the cluster include/exclude patterns; pass --context (one of: %s)", def, strings.Join(s.names(), ", "))
	case s.configs[def] == nil:
		return fmt.Errorf("context %q: %w; the kubeconfig has: %s", def, ErrUnknownCluster, strings.Join(s.names(), ", "))
	}
	s.def = def
	for i := range s.clusters {
		s.clusters[i].Default = s.clusters[i].Name == def
	}
	return nil
}

// admits says whether the include and exclude patterns let a cluster in:
// it must match an include pattern (when there are any) and no exclude one.
func (o Options) admits(name string) bool {
	matches := func(patterns []string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool {
			ok, _ := path.Match(p, name)
			return ok
		})
	}
	return (len(o.Include) == 0 || matches(o.Include)) && !matches(o.Exclude)
}
