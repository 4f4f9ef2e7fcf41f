package operator

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubemcp/kubemcp/internal/config"
)

var listOne = metav1.ListOptions{Limit: 1}

// spec is an MCPServer's spec, as the CRD defines it.
type spec struct {
	URL     string `json:"url"`
	Service *struct {
		Name   string `json:"name"`
		Port   int    `json:"port"`
		Path   string `json:"path"`
		Scheme string `json:"scheme"`
	} `json:"service"`
	Transport string `json:"transport"`
	Headers   map[string]struct {
		SecretKeyRef struct {
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"secretKeyRef"`
	} `json:"headers"`
	Tools   config.UpstreamTools `json:"tools"`
	Timeout string               `json:"timeout"`
}

// upstream is the gateway's upstream for an MCPServer: named after it, its
// headers read from its Secrets now (a changed Secret takes effect when the
// MCPServer changes or kubemcp restarts).
func (o *Operator) upstream(ctx context.Context, obj *unstructured.Unstructured) (config.Upstream, error) {
	raw, err := json.Marshal(obj.Object["spec"])
	if err != nil {
		return config.Upstream{}, err
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return config.Upstream{}, fmt.Errorf("spec: %w", err)
	}
	u := config.Upstream{Name: obj.GetName(), URL: s.URL, Transport: s.Transport, Tools: s.Tools}
	if s.Service != nil {
		u.URL = fmt.Sprintf("%s://%s.%s.svc:%d%s", cmp.Or(s.Service.Scheme, "http"), s.Service.Name, obj.GetNamespace(), s.Service.Port, cmp.Or(s.Service.Path, "/mcp"))
	}
	if s.Timeout != "" {
		d, err := time.ParseDuration(s.Timeout)
		if err != nil {
			return config.Upstream{}, fmt.Errorf("spec.timeout %q: want a duration such as 30s", s.Timeout)
		}
		u.Timeout = metav1.Duration{Duration: d}
	}
	for header, ref := range s.Headers {
		v, err := o.secretValue(ctx, obj.GetNamespace(), ref.SecretKeyRef.Name, ref.SecretKeyRef.Key, obj.GetName())
		if err != nil {
			return config.Upstream{}, fmt.Errorf("spec.headers.%s: %w", header, err)
		}
		if u.Headers == nil {
			u.Headers = map[string]config.Secret{}
		}
		u.Headers[header] = config.Secret{Value: v}
	}
	if err := u.Validate(); err != nil {
		return config.Upstream{}, err
	}
	return u, nil
}

// SecretAnnotation marks a Secret an MCPServer may send: its value names
// the MCPServers (comma-separated). kubemcp reads Secrets with its own
// credential and sends them to the MCPServer's URL, so without the mark,
// whoever may create an MCPServer could have kubemcp send any Secret of the
// namespace anywhere.
const SecretAnnotation = "kubemcp.io/mcpservers"

// secretValue is one key of a Secret marked for the MCPServer server;
// errors name the Secret and key, never a value.
func (o *Operator) secretValue(ctx context.Context, namespace, name, key, server string) (string, error) {
	sec, err := o.typed.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("reading Secret %s/%s: %w", namespace, name, err)
	}
	if !slices.Contains(strings.Split(sec.Annotations[SecretAnnotation], ","), server) {
		return "", fmt.Errorf("Secret %s/%s is not marked for MCPServer %s: annotate it %s=%s (the Secret's owner says it may be sent there)",
			namespace, name, server, SecretAnnotation, server)
	}
	v, ok := sec.Data[key]
	if !ok {
		return "", fmt.Errorf("Secret %s/%s has no key %q", namespace, name, key)
	}
	return string(v), nil
}
