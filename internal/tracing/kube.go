package tracing

import (
	"context"
	"errors"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// Kube wraps the transport of one cluster's clients: each request becomes a
// client span, a child of the tool call that sent it, naming the cluster,
// the HTTP method, the verb and resource as the apiserver reads them, and
// the status code. It sees what client-go sends, Authorization header
// included; it records none of the headers, no URL, no body. Nil when t is
// nil.
func (t *Tracing) Kube(cluster string) func(http.RoundTripper) http.RoundTripper {
	if t == nil {
		return nil
	}
	return func(rt http.RoundTripper) http.RoundTripper { return kubeSpans{rt, t.tracer, cluster} }
}

type kubeSpans struct {
	rt      http.RoundTripper
	tracer  trace.Tracer
	cluster string
}

func (k kubeSpans) RoundTrip(req *http.Request) (*http.Response, error) {
	r := policy.ParseRequest(req.Method, req.URL)
	what := resourceOf(r)
	_, span := k.tracer.Start(req.Context(), "kube "+r.Verb+" "+what, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("kubemcp.cluster", k.cluster), attribute.String("http.request.method", req.Method),
			attribute.String("k8s.verb", r.Verb), attribute.String("k8s.resource", what)))
	defer span.End()
	resp, err := k.rt.RoundTrip(req)
	if err != nil {
		// The policy's refusal or a connection failure: client-go's own
		// errors name the URL, so only the kind of failure is recorded.
		span.SetStatus(codes.Error, failure(err))
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetStatus(codes.Error, resp.Status)
	}
	return resp, nil
}

// WrappedRoundTripper lets client-go reach the transport beneath, as it does
// to close idle connections.
func (k kubeSpans) WrappedRoundTripper() http.RoundTripper { return k.rt }

// resourceOf is what a request is about: group/resource/subresource as the
// apiserver reads the URL, or "nonresource" for discovery and the like.
func resourceOf(r policy.Request) string {
	if r.NonResource {
		return "nonresource"
	}
	s := r.Resource
	if r.Group != "" {
		s = r.Group + "/" + s
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	return s
}

// failure names how a request failed without its error's text, which names
// the URL.
func failure(err error) string {
	var denied *policy.DeniedError
	switch {
	case errors.As(err, &denied):
		return "refused by kubemcp policy: " + denied.Reason
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	}
	return "no response"
}
