package clusters

import (
	"context"
	"errors"
	"fmt"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	authnclient "k8s.io/client-go/kubernetes/typed/authentication/v1"
	"k8s.io/client-go/rest"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/kube"
)

// Credentials say whose credential a tool call reaches a cluster with.
type Credentials string

const (
	// Server: the server's own kubeconfig or service account, for every caller.
	Server Credentials = "server"
	// Impersonate: the server's credential with Impersonate-User, -Group and
	// -Extra set to the caller's verified identity.
	Impersonate Credentials = "impersonate"
	// Passthrough: the caller's own bearer token, alone.
	Passthrough Credentials = "passthrough"
)

// ErrNoIdentity means a call that must reach the cluster as its caller has no
// verified caller: kubemcp then refuses rather than use its own credential.
var ErrNoIdentity = errors.New("this call has no verified caller, and kubemcp reaches the cluster only as the caller (impersonate or passthrough credentials)")

// ErrPassthroughElsewhere means a passthrough call named a cluster other than
// the default, the one its token is for.
var ErrPassthroughElsewhere = errors.New("with passthrough credentials kubemcp sends the caller's token only to the default cluster, the one it was issued for; leave cluster unset")

// clientFor returns base's client for the caller in ctx, as the
// configured credentials say.
func (m *Manager) clientFor(ctx context.Context, cluster string, base *kube.Client) (*kube.Client, error) {
	mode := m.opts.Credentials
	if mode == "" || mode == Server {
		return base, nil
	}
	id := identity.FromContext(ctx)
	if id == nil {
		return nil, ErrNoIdentity
	}
	if mode == Passthrough && cluster != m.DefaultName() {
		// The caller's token was issued for one cluster; sending it to
		// another would hand it to that cluster's operators.
		return nil, fmt.Errorf("cluster %q: %w", cluster, ErrPassthroughElsewhere)
	}
	cred, err := credentialOf(mode, id)
	if err != nil {
		return nil, err
	}
	// The key holds everything the credential is made of, so a client is
	// never handed to another identity.
	key := cluster + "\x00" + id.Key()
	kc, err := m.cache.get(key, func() (*kube.Client, error) { return base.For(cred) })
	if err == nil {
		err = m.accepted.ensure(ctx, key, kc)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %q as %s: %w", cluster, id, err)
	}
	return kc, nil
}

func credentialOf(mode Credentials, id *identity.Identity) (kube.Credential, error) {
	switch mode {
	case Impersonate:
		return kube.Credential{Impersonate: rest.ImpersonationConfig{UserName: id.User, Groups: id.Groups, Extra: id.Extra}}, nil
	case Passthrough:
		if id.Bearer() == "" {
			return kube.Credential{}, fmt.Errorf("%s has no Kubernetes token to pass through: %w", id, ErrNoIdentity)
		}
		return kube.Credential{BearerToken: id.Bearer()}, nil
	}
	return kube.Credential{}, fmt.Errorf("credentials %q: want server, impersonate or passthrough", mode)
}

// Review asks the default cluster who token belongs to, with a
// SelfSubjectReview made with the token alone (it is identity.Review for
// passthrough). A token the apiserver refuses wraps identity.ErrInvalidToken;
// a cluster that cannot say (the API is off, or the token may not use it)
// gives ok false.
func (m *Manager) Review(ctx context.Context, token string) (user string, groups []string, ok bool, err error) {
	snap := m.current()
	cfg := rest.AnonymousClientConfig(snap.configs[snap.def])
	cfg.BearerToken = token
	cfg.UserAgent = "kubemcp"
	c, err := authnclient.NewForConfig(cfg)
	if err != nil {
		return "", nil, false, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	r, err := c.SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	switch {
	case apierrors.IsUnauthorized(err):
		return "", nil, false, fmt.Errorf("%w: cluster %q does not accept the token", identity.ErrInvalidToken, snap.def)
	case apierrors.IsForbidden(err), apierrors.IsNotFound(err), apierrors.IsMethodNotSupported(err):
		return "", nil, false, nil
	case err != nil:
		return "", nil, false, fmt.Errorf("asking cluster %q who the token belongs to: %w", snap.def, err)
	}
	return r.Status.UserInfo.Username, r.Status.UserInfo.Groups, true, nil
}
