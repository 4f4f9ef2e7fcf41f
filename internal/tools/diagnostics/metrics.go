package diagnostics

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// metricsGroupVersion is the API metrics-server serves.
const metricsGroupVersion = "metrics.k8s.io/v1beta1"

// Usage is CPU and memory: requested, limited or in use.
type Usage struct {
	CPUMillicores int64 `json:"cpu_millicores"`
	MemoryBytes   int64 `json:"memory_bytes"`
}

func (u *Usage) add(o Usage) {
	u.CPUMillicores += o.CPUMillicores
	u.MemoryBytes += o.MemoryBytes
}

func usageOf(l corev1.ResourceList) Usage {
	return Usage{CPUMillicores: l.Cpu().MilliValue(), MemoryBytes: l.Memory().Value()}
}

// podUsage is what metrics-server reports for each pod, by namespace/name.
type podUsage map[string]Usage

// readPodUsage reads pod usage from metrics.k8s.io through the cluster
// client's own connection, so the policy applies. The error is a sentence
// that says why there is no usage: no metrics-server, one that does not
// answer, or no right to read it.
func readPodUsage(ctx context.Context, kc *kube.Client, ns string) (podUsage, error) {
	path := "/apis/" + metricsGroupVersion + "/pods"
	if ns != "" {
		path = "/apis/" + metricsGroupVersion + "/namespaces/" + ns + "/pods"
	}
	body, err := kc.Typed.CoreV1().RESTClient().Get().AbsPath(path).SetHeader("Accept", "application/json").DoRaw(ctx) // not protobuf, the typed client's default
	if err != nil {
		return nil, metricsErr(kc, err, ns)
	}
	var list metricsv1beta1.PodMetricsList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("reading pod metrics: %w", err)
	}
	out := podUsage{}
	for _, pm := range list.Items {
		var u Usage
		for _, c := range pm.Containers {
			u.add(usageOf(c.Usage))
		}
		out[pm.Namespace+"/"+pm.Name] = u
	}
	return out, nil
}

// metricsErr says why pod usage could not be read.
func metricsErr(kc *kube.Client, err error, ns string) error {
	switch {
	case apierrors.IsServiceUnavailable(err) || apierrors.IsInternalError(err):
		return fmt.Errorf("the metrics API (%s) is registered but its backend did not answer (%s): metrics-server is installed but not running or not ready",
			metricsGroupVersion, toolset.APIMessage(err))
	case apierrors.IsNotFound(err):
		if _, derr := kc.Typed.Discovery().ServerResourcesForGroupVersion(metricsGroupVersion); apierrors.IsNotFound(derr) {
			return fmt.Errorf("the cluster does not serve the metrics API (%s): metrics-server is not installed", metricsGroupVersion)
		}
	}
	return toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods.metrics.k8s.io", Namespace: ns})
}
