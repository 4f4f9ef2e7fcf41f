package diagnostics

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// TestMetrics asks first on a cluster without metrics-server, then enables
// testenv's metrics backend behind the real aggregator. It is the only test
// here that needs metrics: the cluster has no way to disable them again.
func TestMetrics(t *testing.T) {
	ns := toolsettest.Namespace(t, "")
	var usage [][3]string // pod, cpu, memory: set once metrics are on
	for _, p := range []struct {
		name, deploy, hash string
		reqCPU, reqMem     string
		limCPU, limMem     string
		useCPU, useMem     string
	}{
		{"big-1", "big", "5f6d7c8b9", "500m", "512Mi", "1", "1Gi", "20m", "40Mi"},
		{"big-2", "big", "5f6d7c8b9", "500m", "512Mi", "1", "1Gi", "20m", "40Mi"},
		{"tight", "tight", "6c7d8e9f0", "100m", "128Mi", "200m", "160Mi", "190m", "150Mi"},
		{"loose", "", "", "", "", "", "", "50m", "64Mi"},
		{"unmeasured", "", "", "250m", "256Mi", "", "", "", ""},
	} {
		pod := withResources(podSpec(ns, p.name), p.reqCPU, p.reqMem, p.limCPU, p.limMem)
		if p.deploy != "" {
			pod = ofDeployment(pod, p.deploy, p.hash)
			pod.Name = p.deploy + "-" + p.hash + "-" + p.name
		}
		createPod(t, pod, running(pod, true, 0))
		if p.useCPU != "" {
			usage = append(usage, [3]string{pod.Name, p.useCPU, p.useMem})
		}
	}
	cs := toolsettest.Serve(t, New)

	t.Run("no metrics-server", func(t *testing.T) {
		var out UsageOut
		r := cs.Call(t, "resource_usage", map[string]any{"namespace": ns})
		r.Expect(t, false, "Usage is not available, so provisioning cannot be judged; costs are of the requests: the cluster does not serve the metrics API (metrics.k8s.io/v1beta1): metrics-server is not installed",
			"kubemcp's default prices", "no CPU request; no memory request")
		r.Decode(t, &out)
		if out.Metrics == "" || out.Total.Usage != nil || out.Matched != 4 {
			t.Errorf("metrics %q, usage %v, matched %d", out.Metrics, out.Total.Usage, out.Matched)
		}
		cs.Call(t, "namespace_overview", map[string]any{"namespace": ns}).Expect(t, false,
			"Top consumers: not available: the cluster does not serve the metrics API (metrics.k8s.io/v1beta1): metrics-server is not installed.")
		wantLine(t, r.Text, "deployment/big", "2", "1000m", "2000m", "?", "1024Mi", "2048Mi", "32.85", "no usage reported")
	})

	toolsettest.Must(t, env.EnableMetrics(t.Context()))
	for _, u := range usage {
		env.Metrics.SetPodUsage(ns, u[0], "main", u[1], u[2])
	}

	t.Run("usage and verdicts", func(t *testing.T) {
		var out UsageOut
		text := cs.OK(t, "resource_usage", map[string]any{"namespace": ns}, &out)
		byName := map[string]WorkloadUsage{}
		for _, w := range out.Workloads {
			byName[w.Workload] = w
		}
		big := byName["deployment/big"]
		if big.Pods != 2 || big.Usage == nil || big.Usage.CPUMillicores != 40 || big.Requests.CPUMillicores != 1000 {
			t.Errorf("big: %+v", big)
		}
		wantVerdicts(t, big, "CPU over-provisioned: uses 40m of 1000m requested; about 53m would do", "memory over-provisioned: uses 80Mi of 1024Mi requested")
		wantVerdicts(t, byName["deployment/tight"], "CPU under-provisioned: uses 190m of 100m requested", "CPU near its limit (190m of 200m): throttled",
			"memory under-provisioned: uses 150Mi of 128Mi requested", "memory near its limit (150Mi of 160Mi): OOM kills ahead")
		wantVerdicts(t, byName["pod/loose"], "no CPU request", "no memory request")
		if u := byName["pod/unmeasured"]; u.Usage != nil || len(u.Verdicts) != 0 || u.UnusedMonthlyCost != 0 {
			t.Errorf("unmeasured: %+v", u)
		}
		// 1 CPU and 1 GiB requested: (0.04 + 0.005) * 730; idle: 0.96 CPU and 944 MiB.
		if !near(big.MonthlyCost, 32.85) || !near(big.UnusedMonthlyCost, (0.96*0.04+944.0/1024*0.005)*730) {
			t.Errorf("big costs %.4f, unused %.4f", big.MonthlyCost, big.UnusedMonthlyCost)
		}
		// Usage prices what nothing requests.
		if l := byName["pod/loose"]; !near(l.MonthlyCost, (0.05*0.04+64.0/1024*0.005)*730) {
			t.Errorf("loose cost %.4f", l.MonthlyCost)
		}
		if out.Workloads[0].Workload != "deployment/big" || out.Metrics != "" {
			t.Errorf("not costliest first, or metrics %q: %+v", out.Metrics, out.Workloads)
		}
		toolsettest.Want(t, text, "costliest first", "of which", "requested but not used", "kubemcp's default prices")
		wantLine(t, text, "pod/unmeasured", "250m", "-", "?", "no usage reported")
		toolsettest.WantNone(t, text, "Usage is not available")
	})

	t.Run("own prices", func(t *testing.T) {
		var out UsageOut
		text := cs.OK(t, "resource_usage", map[string]any{"namespace": ns, "cpu_hour_price": 0.1, "gib_hour_price": 0.01}, &out)
		if !near(out.Workloads[0].MonthlyCost, 0.11*730) || out.CPUHourPrice != 0.1 || out.GiBHourPrice != 0.01 {
			t.Errorf("cost %.4f with prices %g, %g", out.Workloads[0].MonthlyCost, out.CPUHourPrice, out.GiBHourPrice)
		}
		toolsettest.Want(t, text, "at 0.1 per CPU-hour and 0.01 per GiB-hour, of which")
		toolsettest.WantNone(t, text, "default prices")
		cs.Call(t, "resource_usage", map[string]any{"cpu_hour_price": -1}).Expect(t, true, "prices cannot be negative")
	})

	t.Run("overview top consumers", func(t *testing.T) {
		var out OverviewOut
		text := cs.OK(t, "namespace_overview", map[string]any{"namespace": ns}, &out)
		if len(out.TopConsumers) == 0 || out.TopConsumers[0].Workload != "deployment/tight" {
			t.Errorf("top consumers %+v", out.TopConsumers)
		}
		toolsettest.Want(t, text, "Top consumers", "deployment/tight", "190m")
	})

	t.Run("alice", func(t *testing.T) {
		alice := toolsettest.ServeWith(t, toolsettest.Options{User: "alice"}, New)
		alice.Call(t, "resource_usage", map[string]any{"namespace": ns}).Expect(t, true, "forbidden", `"list" on pods`)
		grant(t, ns, "alice", rbacRule("", "pods", "list"))
		alice.Call(t, "resource_usage", map[string]any{"namespace": ns}).
			Expect(t, false, "Usage is not available", `forbidden: Kubernetes RBAC does not allow "list" on pods.metrics.k8s.io`)
	})
}

func wantVerdicts(t *testing.T, w WorkloadUsage, want ...string) {
	t.Helper()
	for _, v := range want {
		if !slices.ContainsFunc(w.Verdicts, func(got string) bool { return strings.HasPrefix(got, v) }) {
			t.Errorf("%s: no verdict %q in %q", w.Workload, v, w.Verdicts)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }
