package policy

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Request is what a call to the Kubernetes API asks for, read from its method
// and URL the way the apiserver reads it.
type Request struct {
	Verb        string // get, list, watch, create, update, patch, delete, deletecollection
	Group       string // "" is the core group
	Version     string
	Resource    string // plural, e.g. "pods"
	Subresource string // e.g. "log", "exec", "status"
	Namespace   string // "" for cluster-scoped resources and all-namespace lists
	Name        string
	// Kind and Namespaced come from the cluster's RESTMapper, not the URL.
	Kind       string
	Namespaced bool
	// NonResource is set for discovery and other paths outside /api and /apis
	// resources (/version, /openapi/v3, /api/v1 itself).
	NonResource bool
	Path        string
}

func (r Request) String() string {
	if r.NonResource {
		return fmt.Sprintf("%q on %s", r.Verb, r.Path)
	}
	what := r.Resource
	if r.Group != "" {
		what += "." + r.Group
	}
	if r.Subresource != "" {
		what += "/" + r.Subresource
	}
	if r.Name != "" {
		what += fmt.Sprintf(" %q", r.Name)
	}
	switch {
	case r.Namespace != "":
		what += fmt.Sprintf(" in namespace %q", r.Namespace)
	case r.Namespaced:
		what += " in all namespaces"
	}
	return fmt.Sprintf("%q on %s", r.Verb, what)
}

// ParseRequest reads the Kubernetes request behind an HTTP method and URL.
func ParseRequest(method string, u *url.URL) Request {
	parts := splitPath(u.Path)
	r := Request{Path: u.Path}
	var rest []string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		r.Version, rest = parts[1], parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		r.Group, r.Version, rest = parts[1], parts[2], parts[3:]
	}
	watchPath := len(rest) > 0 && rest[0] == "watch"
	if watchPath {
		rest = rest[1:]
	}
	// /namespaces/NS/pods is a resource in NS; /namespaces/NS and its status and
	// finalize subresources are the namespace object itself.
	if len(rest) >= 3 && rest[0] == "namespaces" && rest[2] != "status" && rest[2] != "finalize" {
		r.Namespace, rest = rest[1], rest[2:]
	}
	if len(rest) == 0 {
		r.NonResource = true
		r.Verb = nonResourceVerb(method)
		return r
	}
	r.Resource = rest[0]
	if len(rest) > 1 {
		r.Name = rest[1]
	}
	if len(rest) > 2 {
		// As the apiserver reads it: what follows a proxy subresource is the
		// path to proxy to, not part of the subresource.
		r.Subresource = rest[2]
	}
	watch := u.Query().Get("watch")
	r.Verb = resourceVerb(method, r.Name != "", watchPath || watch == "true" || watch == "1")
	if connectSubresources[r.Subresource] {
		// exec, attach, port-forward and proxy act on the workload whatever the
		// HTTP method (newer clients exec over a websocket GET): they are writes.
		r.Verb = "create"
	}
	if r.Group == "" && r.Resource == "namespaces" {
		// As the apiserver does: a namespace is inside itself, so a rule about
		// kube-system also covers the kube-system Namespace object.
		r.Namespace = r.Name
	}
	return r
}

// connectSubresources reach into a running workload or through to a server.
var connectSubresources = map[string]bool{"exec": true, "attach": true, "portforward": true, "proxy": true}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func resourceVerb(method string, named, watch bool) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		switch {
		case watch:
			return "watch"
		case named:
			return "get"
		}
		return "list"
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(method)
}

func nonResourceVerb(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead:
		return "get"
	}
	return strings.ToLower(method)
}
