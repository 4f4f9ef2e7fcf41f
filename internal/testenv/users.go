package testenv

import (
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// userGroups lists the static-token users. Only admin has rights; the others
// are for RBAC tests, which grant what they need.
var userGroups = []struct {
	name   string
	groups []string
}{
	{"admin", []string{"system:masters"}},
	{"alice", []string{"team-a"}},
	{"bob", []string{"team-b"}},
	{"carol", []string{"team-c"}},
}

// writeUsers gives every user a random token and writes tokens.csv.
func (e *Env) writeUsers() error {
	e.Users = make(map[string]User, len(userGroups))
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, u := range userGroups {
		token, err := randomHex(16)
		if err != nil {
			return err
		}
		e.Users[u.name] = User{Name: u.name, Token: token, Groups: u.groups, Kubeconfig: e.kubeconfigPath(u.name)}
		if err := w.Write([]string{token, u.name, "uid-" + u.name, strings.Join(u.groups, ",")}); err != nil {
			return fmt.Errorf("writing tokens.csv: %w", err)
		}
	}
	w.Flush()
	if err := os.WriteFile(e.path("tokens.csv"), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("writing tokens.csv: %w", err)
	}
	e.Kubeconfig = e.Users["admin"].Kubeconfig
	return nil
}

func (e *Env) kubeconfigPath(user string) string {
	if user == "admin" {
		return e.path("kubeconfig")
	}
	return e.path("kubeconfig-" + user)
}

// writeKubeconfigs writes one kubeconfig per user.
func (e *Env) writeKubeconfigs() error {
	for _, u := range e.Users {
		if err := e.WriteTokenKubeconfig(u.Kubeconfig, u.Name, u.Token); err != nil {
			return err
		}
	}
	return nil
}

// WriteTokenKubeconfig writes a kubeconfig at path whose one context,
// KubeContext, reaches the cluster as user with the bearer token. The CA is
// embedded, so the file works wherever it is copied.
func (e *Env) WriteTokenKubeconfig(path, user, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[KubeContext] = &clientcmdapi.Cluster{Server: e.Server, CertificateAuthorityData: e.pki.caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[KubeContext] = &clientcmdapi.Context{Cluster: KubeContext, AuthInfo: user}
	cfg.CurrentContext = KubeContext
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing the kubeconfig of %s: %w", user, err)
	}
	return nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// WriteKubeconfig writes a kubeconfig at path with one context per entry of
// envs, named by its key, each reaching that cluster as user; current names
// the current context.
func WriteKubeconfig(path, user, current string, envs map[string]*Env) error {
	cfg := clientcmdapi.NewConfig()
	for name, e := range envs {
		u, ok := e.Users[user]
		if !ok {
			return fmt.Errorf("the cluster for context %q has no user %q", name, user)
		}
		cfg.Clusters[name] = &clientcmdapi.Cluster{Server: e.Server, CertificateAuthorityData: e.pki.caPEM}
		cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: u.Token}
		cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	}
	cfg.CurrentContext = current
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}

// EditKubeconfig rewrites the kubeconfig at path as edit changes it: a
// rotated token, a new server URL, a context removed, as a reload sees them.
func EditKubeconfig(path string, edit func(*clientcmdapi.Config)) error {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return fmt.Errorf("reading kubeconfig %s: %w", path, err)
	}
	edit(cfg)
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}
