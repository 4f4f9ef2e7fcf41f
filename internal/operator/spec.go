package operator

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
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
		SecretKeyRef keyRef `json:"secretKeyRef"`
	} `json:"headers"`
	ForwardAuthorization bool `json:"forwardAuthorization"`
	TLS                  struct {
		CA *caRef `json:"ca"`
	} `json:"tls"`
	Tools   config.UpstreamTools `json:"tools"`
	Timeout string               `json:"timeout"`
}

// caRef is where tls.ca is: one of the two, as the CRD says.
type caRef struct {
	SecretKeyRef    *keyRef `json:"secretKeyRef"`
	ConfigMapKeyRef *keyRef `json:"configMapKeyRef"`
}

// keyRef names a key of a Secret or ConfigMap in the MCPServer's namespace.
type keyRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
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
	if s.ForwardAuthorization && !o.opts.AllowForwardAuthorization {
		return config.Upstream{}, errors.New("spec.forwardAuthorization: this kubemcp does not let MCPServers receive callers' credentials; " +
			"drop it, or have kubemcp's operator set allowMCPServerForwardAuthorization (the chart's mcpServers.allowForwardAuthorization)")
	}
	u := config.Upstream{Name: obj.GetName(), URL: s.URL, Transport: s.Transport, Tools: s.Tools, ForwardAuthorization: s.ForwardAuthorization}
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
	if u.TLS.CAData, err = o.ca(ctx, obj, s); err != nil {
		return config.Upstream{}, err
	}
	if err := u.Validate(); err != nil {
		return config.Upstream{}, err
	}
	return u, nil
}

// ca is the PEM CA the MCPServer's certificate is checked against, read now
// from its Secret (marked, as for headers) or ConfigMap; "" for the system's
// roots. The CRD allows one of the two.
func (o *Operator) ca(ctx context.Context, obj *unstructured.Unstructured, s spec) (string, error) {
	ref := s.TLS.CA
	var (
		v, from string
		err     error
		absent  string // "absent, or " where a missing ConfigMap reads as ""
	)
	switch {
	case ref == nil:
		return "", nil
	case ref.SecretKeyRef != nil:
		from = fmt.Sprintf("Secret %s key %s", ref.SecretKeyRef.Name, ref.SecretKeyRef.Key)
		v, err = o.secretValue(ctx, obj.GetNamespace(), ref.SecretKeyRef.Name, ref.SecretKeyRef.Key, obj.GetName())
	case ref.ConfigMapKeyRef != nil:
		from = fmt.Sprintf("ConfigMap %s key %s", ref.ConfigMapKeyRef.Name, ref.ConfigMapKeyRef.Key)
		v, err = o.configMapValue(ctx, obj.GetNamespace(), *ref.ConfigMapKeyRef)
		absent = "absent, or "
	default: // the CRD's rule refuses it; an older CRD may not
		return "", errors.New("spec.tls.ca: give secretKeyRef or configMapKeyRef, the key of a Secret or ConfigMap that holds the PEM CA certificate")
	}
	if err == nil {
		if _, err = config.CAPoolFromPEM([]byte(v)); err != nil {
			err = fmt.Errorf("%s: %s%w", from, absent, err)
		}
	}
	if err != nil {
		return "", fmt.Errorf("spec.tls.ca: %w", err)
	}
	return v, nil
}

// configMapValue is one key of a ConfigMap. Unlike a Secret it needs no
// mark: a CA bundle is public (kube-root-ca.crt, trust-manager's bundles),
// and kubemcp only trusts it, sending it nowhere. A ConfigMap or key that
// is not there reads as "", which ca words as it would a value that is no
// certificate: the status, which whoever may read MCPServers sees, then
// says nothing of which ConfigMaps exist, while "it should hold the CA
// certificate" tells the author what to fix all the same.
func (o *Operator) configMapValue(ctx context.Context, namespace string, ref keyRef) (string, error) {
	cm, err := o.typed.CoreV1().ConfigMaps(namespace).Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading ConfigMap %s/%s: %w", namespace, ref.Name, err)
	}
	return cm.Data[ref.Key], nil
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
