package diagnostics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// Default prices: roughly what clouds charge on demand for a vCPU and a GiB
// of memory in an hour. They make costs comparable, not a bill.
const (
	defaultCPUHourPrice = 0.04
	defaultGiBHourPrice = 0.005
	hoursPerMonth       = 730
)

// UsageIn scopes resource_usage and prices it.
type UsageIn struct {
	toolset.Target
	toolset.TextCap
	Namespace    string  `json:"namespace,omitempty"`
	CPUHourPrice float64 `json:"cpu_hour_price,omitempty" jsonschema:"default 0.04"`
	GiBHourPrice float64 `json:"gib_hour_price,omitempty" jsonschema:"default 0.005"`
}

// WorkloadUsage is one workload's requests, limits and usage, summed over
// its pods, with what they cost.
type WorkloadUsage struct {
	Namespace string `json:"namespace"`
	Workload  string `json:"workload" jsonschema:"e.g. deployment/web"`
	Pods      int    `json:"pods"`
	Requests  Usage  `json:"requests"`
	Limits    Usage  `json:"limits" jsonschema:"0 where a container sets no limit"`
	Usage     *Usage `json:"usage,omitempty" jsonschema:"from metrics.k8s.io; absent without it"`
	// MonthlyCost prices the requests (usage where nothing is requested);
	// UnusedMonthlyCost the part of the requests that usage does not use.
	MonthlyCost       float64  `json:"monthly_cost"`
	UnusedMonthlyCost float64  `json:"unused_monthly_cost"`
	Verdicts          []string `json:"verdicts" jsonschema:"over- or under-provisioned, missing requests, near limits"`
}

// Prices are what a cost estimate is computed with.
type Prices struct {
	CPUHour, GiBHour float64
	Defaults         bool // kubemcp's, not the caller's
}

// UsageTotal is the sum over every workload, shown or not.
type UsageTotal struct {
	Pods              int     `json:"pods"`
	Requests          Usage   `json:"requests"`
	Usage             *Usage  `json:"usage,omitempty"`
	MonthlyCost       float64 `json:"monthly_cost"`
	UnusedMonthlyCost float64 `json:"unused_monthly_cost"`
}

// UsageOut is the structured result of resource_usage.
type UsageOut struct {
	Workloads    []WorkloadUsage `json:"workloads" jsonschema:"those the text shows, costliest first"`
	Matched      int             `json:"matched"`
	Total        UsageTotal      `json:"total"`
	CPUHourPrice float64         `json:"cpu_hour_price" jsonschema:"the price the costs were computed with"`
	GiBHourPrice float64         `json:"gib_hour_price"`
	Metrics      string          `json:"metrics" jsonschema:"empty when usage was read, else why not"`
}

func (d *Diagnostics) resourceUsage() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "resource_usage",
		Description: "Workloads' requests and limits against use: over- and under-provisioned, monthly cost.",
		Annotations: toolset.ReadOnly("Resource usage and cost"),
	}, d.usage)
}

func (d *Diagnostics) usage(ctx context.Context, _ *mcp.CallToolRequest, in UsageIn) (string, UsageOut, error) {
	out := UsageOut{Workloads: []WorkloadUsage{}}
	prices, err := pricesOf(in)
	if err != nil {
		return "", out, err
	}
	out.CPUHourPrice, out.GiBHourPrice = prices.CPUHour, prices.GiBHour
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	var pods []corev1.Pod
	if err := into(&pods, kc.Typed.CoreV1().Pods(in.Namespace).List, func(l *corev1.PodList) []corev1.Pod { return l.Items })(ctx); err != nil {
		return "", out, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "pods", Namespace: in.Namespace})
	}
	pods = slices.DeleteFunc(pods, func(p corev1.Pod) bool { return !scheduledAndAlive(&p) })
	used, err := readPodUsage(ctx, kc, in.Namespace)
	if err != nil {
		out.Metrics = err.Error()
	}
	all := workloadUsages(pods, used, prices)
	out.Matched, out.Total = len(all), totalOf(all)
	if len(all) == 0 {
		return fmt.Sprintf("No running pods %s, so nothing uses or costs anything.\n", scope(in.Namespace)), out, nil
	}
	return d.usageText(in, &out, all, prices), out, nil
}

func pricesOf(in UsageIn) (Prices, error) {
	if in.CPUHourPrice < 0 || in.GiBHourPrice < 0 {
		return Prices{}, fmt.Errorf("prices cannot be negative (cpu_hour_price %g, gib_hour_price %g)", in.CPUHourPrice, in.GiBHourPrice)
	}
	return Prices{
		CPUHour:  cmp.Or(in.CPUHourPrice, defaultCPUHourPrice),
		GiBHour:  cmp.Or(in.GiBHourPrice, defaultGiBHourPrice),
		Defaults: in.CPUHourPrice == 0 || in.GiBHourPrice == 0,
	}, nil
}

// scheduledAndAlive is a pod that holds what it requests on a node.
func scheduledAndAlive(p *corev1.Pod) bool {
	return p.Spec.NodeName != "" && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed
}

// workloadUsages sums pods into their workloads, costliest first.
func workloadUsages(pods []corev1.Pod, used podUsage, prices Prices) []WorkloadUsage {
	order, groups := byWorkload(pods)
	out := make([]WorkloadUsage, 0, len(order))
	for _, w := range order {
		out = append(out, workloadUsage(w, groups[w], used, prices))
	}
	slices.SortStableFunc(out, func(a, b WorkloadUsage) int {
		return cmp.Or(cmp.Compare(b.MonthlyCost, a.MonthlyCost), cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Workload, b.Workload))
	})
	return out
}

func workloadUsage(w workload, pods []*corev1.Pod, used podUsage, prices Prices) WorkloadUsage {
	wu := WorkloadUsage{Namespace: w.Namespace, Workload: w.object(), Pods: len(pods), Verdicts: []string{}}
	var measured Usage // requests of the pods that have usage, to compare like with like
	unbounded := Usage{}
	for _, p := range pods {
		req, lim, open := podResources(p)
		wu.Requests.add(req)
		wu.Limits.add(lim)
		unbounded.add(open)
		if u, ok := used[p.Namespace+"/"+p.Name]; ok {
			wu.Usage = cmp.Or(wu.Usage, &Usage{})
			wu.Usage.add(u)
			measured.add(req)
		}
	}
	if unbounded.CPUMillicores > 0 {
		wu.Limits.CPUMillicores = 0
	}
	if unbounded.MemoryBytes > 0 {
		wu.Limits.MemoryBytes = 0
	}
	wu.Verdicts = verdicts(wu.Requests, measured, wu.Limits, wu.Usage)
	wu.MonthlyCost, wu.UnusedMonthlyCost = costs(wu.Requests, measured, wu.Usage, prices)
	return wu
}

// podResources sums a pod's containers: requests, limits, and 1 for each
// resource some container sets no limit for.
func podResources(p *corev1.Pod) (req, lim, open Usage) {
	for _, c := range p.Spec.Containers {
		req.add(usageOf(c.Resources.Requests))
		lim.add(usageOf(c.Resources.Limits))
		if _, ok := c.Resources.Limits[corev1.ResourceCPU]; !ok {
			open.CPUMillicores = 1
		}
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			open.MemoryBytes = 1
		}
	}
	return req, lim, open
}

// Thresholds for the verdicts: using under overUsed of a request is
// over-provisioned, unless the slack is too small to matter; using
// nearLimit of a limit is close to throttling or an OOM kill.
const (
	overUsed     = 0.3
	minCPUSlack  = 50       // millicores
	minMemSlack  = 64 << 20 // bytes
	nearLimit    = 0.9
	sizingMargin = 1.3 // suggested request: usage with this margin
)

// verdicts judges requests (all pods') and measured (the requests of the
// pods with usage) against usage, and usage against limits.
func verdicts(requests, measured, limits Usage, used *Usage) []string {
	out := []string{}
	if requests.CPUMillicores == 0 {
		out = append(out, "no CPU request")
	}
	if requests.MemoryBytes == 0 {
		out = append(out, "no memory request")
	}
	if used == nil {
		return out
	}
	out = append(out, judge("CPU", measured.CPUMillicores, limits.CPUMillicores, used.CPUMillicores, minCPUSlack, cpu)...)
	return append(out, judge("memory", measured.MemoryBytes, limits.MemoryBytes, used.MemoryBytes, minMemSlack, mem)...)
}

func judge(what string, req, lim, use, minSlack int64, format func(int64) string) []string {
	var out []string
	switch {
	case req > 0 && use > req:
		out = append(out, fmt.Sprintf("%s under-provisioned: uses %s of %s requested", what, format(use), format(req)))
	case req > 0 && float64(use) < overUsed*float64(req) && req-use >= minSlack:
		out = append(out, fmt.Sprintf("%s over-provisioned: uses %s of %s requested; about %s would do", what, format(use), format(req),
			format(int64(float64(use)*sizingMargin)+1)))
	}
	if lim > 0 && float64(use) >= nearLimit*float64(lim) {
		risk := "throttled"
		if what == "memory" {
			risk = "OOM kills ahead"
		}
		out = append(out, fmt.Sprintf("%s near its limit (%s of %s): %s", what, format(use), format(lim), risk))
	}
	return out
}

// costs prices a month of the requests (usage for a resource nothing
// requests) and of the part of the measured requests that usage leaves idle.
func costs(requests, measured Usage, used *Usage, p Prices) (float64, float64) {
	basis := requests
	var idle Usage
	if used != nil {
		if basis.CPUMillicores == 0 {
			basis.CPUMillicores = used.CPUMillicores
		}
		if basis.MemoryBytes == 0 {
			basis.MemoryBytes = used.MemoryBytes
		}
		idle = Usage{max(measured.CPUMillicores-used.CPUMillicores, 0), max(measured.MemoryBytes-used.MemoryBytes, 0)}
	}
	return monthly(basis, p), monthly(idle, p)
}

func monthly(u Usage, p Prices) float64 {
	return (float64(u.CPUMillicores)/1000*p.CPUHour + float64(u.MemoryBytes)/(1<<30)*p.GiBHour) * hoursPerMonth
}

func totalOf(all []WorkloadUsage) UsageTotal {
	var t UsageTotal
	for _, w := range all {
		t.Pods += w.Pods
		t.Requests.add(w.Requests)
		if w.Usage != nil {
			t.Usage = cmp.Or(t.Usage, &Usage{})
			t.Usage.add(*w.Usage)
		}
		t.MonthlyCost += w.MonthlyCost
		t.UnusedMonthlyCost += w.UnusedMonthlyCost
	}
	return t
}

func (d *Diagnostics) usageText(in UsageIn, out *UsageOut, all []WorkloadUsage, prices Prices) string {
	head := fmt.Sprintf("Requests, limits and usage of %s (%s) %s, costliest first; LIM - means some container sets no limit.\n",
		plural(len(all), "workload"), plural(out.Total.Pods, "pod"), scope(in.Namespace))
	if out.Metrics != "" {
		head += "Usage is not available, so provisioning cannot be judged; costs are of the requests: " + out.Metrics + ".\n"
	}
	tail := totalText(out.Total, prices)
	t := render.Table{Header: []string{"WORKLOAD", "PODS", "CPU REQ", "CPU LIM", "CPU USE", "MEM REQ", "MEM LIM", "MEM USE", "COST/MONTH", "VERDICT"}}
	if in.Namespace == "" {
		t.Header = slices.Insert(t.Header, 0, "NAMESPACE")
	}
	for _, w := range all {
		row := []string{w.Workload, fmt.Sprint(w.Pods), cpu(w.Requests.CPUMillicores), orDash(w.Limits.CPUMillicores, cpu), usedOf(w.Usage, true),
			mem(w.Requests.MemoryBytes), orDash(w.Limits.MemoryBytes, mem), usedOf(w.Usage, false), money(w.MonthlyCost), verdictText(w)}
		if in.Namespace == "" {
			row = slices.Insert(row, 0, w.Namespace)
		}
		t.Rows = append(t.Rows, row)
	}
	text, shown := t.Fit(d.deps.Budget(in.TextCap)-len(head)-len(tail), "Narrow with namespace; the total covers every workload.")
	out.Workloads = all[:shown]
	return head + text + tail
}

func totalText(t UsageTotal, p Prices) string {
	s := fmt.Sprintf("Total: requests CPU %s, memory %s", cpu(t.Requests.CPUMillicores), mem(t.Requests.MemoryBytes))
	if t.Usage != nil {
		s += fmt.Sprintf("; in use CPU %s, memory %s", cpu(t.Usage.CPUMillicores), mem(t.Usage.MemoryBytes))
	}
	s += fmt.Sprintf(". About %s a month at %g per CPU-hour and %g per GiB-hour", money(t.MonthlyCost), p.CPUHour, p.GiBHour)
	if p.Defaults {
		s += " (kubemcp's default prices, near on-demand cloud list prices; pass cpu_hour_price and gib_hour_price for yours)"
	}
	if t.Usage != nil {
		s += fmt.Sprintf(", of which %s is requested but not used", money(t.UnusedMonthlyCost))
	}
	return s + ".\n"
}

func verdictText(w WorkloadUsage) string {
	switch {
	case len(w.Verdicts) > 0:
		return strings.Join(w.Verdicts, "; ")
	case w.Usage == nil:
		return "no usage reported"
	}
	return "ok"
}

func usedOf(u *Usage, isCPU bool) string {
	switch {
	case u == nil:
		return "?"
	case isCPU:
		return cpu(u.CPUMillicores)
	}
	return mem(u.MemoryBytes)
}

func orDash(v int64, format func(int64) string) string {
	if v == 0 {
		return "-"
	}
	return format(v)
}

// cpu and mem format quantities the way kubectl top does.
func cpu(milli int64) string { return fmt.Sprintf("%dm", milli) }
func mem(bytes int64) string { return fmt.Sprintf("%dMi", bytes>>20) }

func money(v float64) string { return fmt.Sprintf("%.2f", v) }
