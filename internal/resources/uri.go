package resources

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The URI templates of Kubernetes objects. A segment holding characters
// beyond letters, digits and "-._~" (a context called "admin@prod") is
// percent-encoded, as URI does.
const (
	Scheme             = "k8s"
	NamespacedTemplate = "k8s://{cluster}/{namespace}/{resource}/{name}"
	ClusterTemplate    = "k8s://{cluster}/{resource}/{name}"
)

// URI is the address of an object; namespace is "" for a cluster-scoped one.
func URI(cluster, namespace, resource, name string) string {
	parts := []string{cluster, namespace, resource, name}
	if namespace == "" {
		parts = []string{cluster, resource, name}
	}
	for i, p := range parts {
		parts[i] = escape(p)
	}
	return Scheme + "://" + strings.Join(parts, "/")
}

// escape percent-encodes all but the unreserved characters, which is what
// go-sdk's template matching accepts in a segment (url.PathEscape leaves
// "@" and ":" as they are).
func escape(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// errBadURI means a URI is not one of the templates.
var errBadURI = errors.New("not a Kubernetes object URI")

// address is what a k8s:// URI names.
type address struct {
	uri                                string
	cluster, namespace, resource, name string
	namespaced                         bool // the URI has a namespace segment
}

func isOurs(uri string) bool { return strings.HasPrefix(uri, Scheme+"://") }

// parse reads uri as one of the templates.
func parse(uri string) (address, error) {
	rest, ok := strings.CutPrefix(uri, Scheme+"://")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) < 3 || len(parts) > 4 {
		return address{}, fmt.Errorf("%q is %w: want %s, or %s for a cluster-scoped object", uri, errBadURI, NamespacedTemplate, ClusterTemplate)
	}
	for i, p := range parts {
		s, err := url.PathUnescape(p)
		if err != nil || s == "" {
			return address{}, fmt.Errorf("%q is %w: segment %d is empty or badly escaped; want %s, or %s for a cluster-scoped object", uri, errBadURI, i+1, NamespacedTemplate, ClusterTemplate)
		}
		parts[i] = s
	}
	a := address{uri: uri, cluster: parts[0], resource: parts[len(parts)-2], name: parts[len(parts)-1], namespaced: len(parts) == 4}
	if a.namespaced {
		a.namespace = parts[1]
	}
	return a, nil
}
