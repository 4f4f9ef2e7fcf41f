package diagnostics

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// SubjectIn names whom an RBAC question is about.
type SubjectIn struct {
	User           string   `json:"user,omitempty"`
	Groups         []string `json:"groups,omitempty"`
	ServiceAccount string   `json:"service_account,omitempty" jsonschema:"namespace/name"`
}

func (in SubjectIn) named() bool {
	return in.User != "" || in.ServiceAccount != "" || len(in.Groups) > 0
}

// authenticated is the group the apiserver gives every authenticated request.
const authenticated = "system:authenticated"

// subject is who the arguments name, as the apiserver would see them: a
// service account is a user in its groups, and every user is authenticated.
func (in SubjectIn) subject() (subject, string, error) {
	switch {
	case in.User != "" && in.ServiceAccount != "":
		return subject{}, "", errors.New("name a user or a service_account, not both")
	case in.ServiceAccount != "":
		ns, name, ok := strings.Cut(strings.TrimPrefix(in.ServiceAccount, "system:serviceaccount:"), "/")
		if !ok {
			ns, name, ok = strings.Cut(strings.TrimPrefix(in.ServiceAccount, "system:serviceaccount:"), ":")
		}
		if !ok || ns == "" || name == "" {
			return subject{}, "", fmt.Errorf("service_account %q: want namespace/name, e.g. kube-system/default", in.ServiceAccount)
		}
		groups := append(slices.Clone(in.Groups), "system:serviceaccounts", "system:serviceaccounts:"+ns, authenticated)
		return subject{serviceAccountUser(ns, name), groups}, fmt.Sprintf("service account %s/%s", ns, name), nil
	case in.User != "":
		groups := append(slices.Clone(in.Groups), authenticated)
		return subject{in.User, groups}, fmt.Sprintf("user %q (groups %s)", in.User, strings.Join(groups, ", ")), nil
	case len(in.Groups) > 0:
		return subject{groups: in.Groups}, fmt.Sprintf("group %s", strings.Join(in.Groups, ", ")), nil
	}
	return subject{}, "", errors.New("name a user, groups or a service_account (namespace/name)")
}

// AccessIn is an RBAC request: a verb on a resource, or on a URL path.
type AccessIn struct {
	Verb      string `json:"verb"`
	Resource  string `json:"resource" jsonschema:"e.g. pods, pods/log, /healthz"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
}

// resolve makes the request exact: any kubectl spelling of the resource,
// with a subresource after a slash. namespaced is false for cluster-scoped
// resources and URL paths.
func (in AccessIn) resolve(kc *kube.Client) (a access, namespaced bool, err error) {
	if in.Verb == "" || in.Resource == "" {
		return a, false, errors.New("name a verb (e.g. list) and a resource (e.g. pods)")
	}
	a = access{verb: strings.ToLower(in.Verb), name: in.Name}
	switch {
	case strings.HasPrefix(in.Resource, "/"):
		a.path = in.Resource
		return a, false, nil
	case in.Resource == "*":
		a.group, a.resource = "*", "*"
		return a, true, nil
	}
	base, sub, _ := strings.Cut(in.Resource, "/")
	res, err := kc.Resolve(kube.Ref{Resource: base})
	if err != nil {
		return a, false, toolset.Explain(err, toolset.Op{})
	}
	a.group, a.resource, a.subresource = res.GVR.Group, res.GVR.Resource, sub
	return a, res.Namespaced, nil
}
