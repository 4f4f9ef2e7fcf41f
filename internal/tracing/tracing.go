// Package tracing sends OpenTelemetry traces of kubemcp's work over OTLP/HTTP:
// a span per MCP request, per tool call and per Kubernetes API request. It is
// off (a nil *Tracing) unless an endpoint is configured, by kubemcp's
// otlpEndpoint or the standard OTEL_EXPORTER_OTLP_ENDPOINT environment.
//
// Spans carry names kubemcp knows (methods, its tools, configured clusters,
// verbs and resources) and status codes: never arguments, URLs, headers or
// bodies, where names of things and credentials live.
package tracing

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Options configure tracing.
type Options struct {
	// Endpoint is the OTLP/HTTP collector's base URL, e.g.
	// http://otel-collector:4318 (spans go to its /v1/traces). Empty: the
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT
	// environment variable, and with neither, no tracing.
	Endpoint string
	Version  string // kubemcp's, as service.version
}

// Tracing is an OpenTelemetry tracer provider exporting over OTLP/HTTP; nil
// means tracing is off, and every method works on nil.
type Tracing struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
}

// name is the instrumentation scope of kubemcp's spans.
const name = "github.com/kubemcp/kubemcp"

// New starts exporting when an endpoint is configured, and returns nil when
// none is. The exporter's other settings (headers, timeout, TLS, and the
// service name and resource attributes) come from the standard OTEL_*
// environment as the OpenTelemetry SDK reads it.
func New(ctx context.Context, opts Options) (*Tracing, error) {
	endpoint := strings.TrimSuffix(opts.Endpoint, "/")
	if endpoint == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		return nil, nil
	}
	var eo []otlptracehttp.Option
	if endpoint != "" {
		eo = append(eo, otlptracehttp.WithEndpointURL(endpoint+"/v1/traces"))
	}
	exp, err := otlptracehttp.New(ctx, eo...)
	if err != nil {
		return nil, fmt.Errorf("otlpEndpoint %q: %w", endpoint, err)
	}
	// The environment's OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// come last, so they win over kubemcp's own.
	res, err := resource.New(ctx, resource.WithAttributes(attribute.String("service.name", "kubemcp"),
		attribute.String("service.version", opts.Version)), resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("reading OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Tracing{provider: tp, tracer: tp.Tracer(name)}, nil
}

// Tracer is what kubemcp starts spans with; nil when t is, so that no
// middleware is installed to start spans nobody sends.
func (t *Tracing) Tracer() trace.Tracer {
	if t == nil {
		return nil
	}
	return t.tracer
}

// Shutdown sends the spans not yet sent, waiting at most 5 s for the
// collector, and stops exporting.
func (t *Tracing) Shutdown() error {
	if t == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return t.provider.Shutdown(ctx)
}
