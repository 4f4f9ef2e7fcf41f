package prompts

import (
	"cmp"
	"fmt"
)

func resourceUsage() *definition {
	return &definition{
		name: "resource_usage_analysis", title: "Resource usage analysis",
		description: "Requests and limits against real usage: top consumers, over- and under-provisioned workloads, suggested values.",
		args:        []argument{argNamespace, argDeployment, argCluster},
		build:       buildResourceUsage,
	}
}

// tuningPlan starts a plan over the workloads, looking closely at the
// Deployment a names, if any.
func tuningPlan(a args, goal string) *plan {
	if deploy := a["deployment"]; deploy != "" {
		goal += fmt.Sprintf(" Look closely at Deployment %s.", quote(deploy))
	}
	return newPlan(a, goal, "all namespaces")
}

func buildResourceUsage(a args) *plan {
	ns, deploy := a["namespace"], a["deployment"]
	p := tuningPlan(a, "Analyse how much CPU and memory the workloads request, limit and actually use.")
	p.step("Each workload's requests and limits against its usage, marked over- or under-provisioned, with its monthly cost.", "resource_usage", "namespace", ns)
	p.step("The pods using the most CPU now.", "pods_top", "namespace", ns, "sort_by", "cpu")
	p.step("The pods using the most memory now.", "pods_top", "namespace", ns, "sort_by", "memory")
	p.step("How full each node is against its allocatable CPU and memory.", "nodes_top", "sort_by", "cpu")
	if deploy != "" {
		p.step("The Deployment's replicas, its containers' requests and limits, and its selector.", "resources_describe", "resource", "deployment", "namespace", ns, "name", deploy)
		p.then = append(p.then, fmt.Sprintf("Call %s with the Deployment's selector and namespace from step 5 filled in, to see its containers one by one.",
			p.call("pods_top", "namespace", cmp.Or(ns, "<namespace>"), "label_selector", "<selector>", "containers", true)))
	}
	p.then = append(p.then,
		"Usage is one sample from metrics-server: say so, and do not cut requests on a single low reading.",
		"If metrics-server is not installed, the tools say so: report requests and limits alone.")
	p.answer = "the top consumers, the over-provisioned workloads (requests well above usage) and the under-provisioned ones (usage near or above requests, or no limits), each with suggested requests and limits."
	return p
}

func performance() *definition {
	return &definition{
		name: "performance_optimization", title: "Performance optimization",
		description: "What makes workloads slow or unstable (restarts, throttling, pressure, probes, scaling) and the changes that fix it.",
		args:        []argument{argNamespace, argDeployment, argCluster},
		build:       buildPerformance,
	}
}

func buildPerformance(a args) *plan {
	ns, deploy := a["namespace"], a["deployment"]
	p := tuningPlan(a, "Find what makes the workloads slow or unstable, and how to fix it.")
	p.step("Restarts, OOMKills, failing probes, pending pods and stuck rollouts: instability comes first.", "find_issues", "namespace", ns)
	p.step("Workloads whose usage is near their limits: CPU throttling and the risk of OOMKills.", "resource_usage", "namespace", ns)
	p.step("The containers using the most CPU now.", "pods_top", "namespace", ns, "sort_by", "cpu", "containers", true)
	p.step("Nodes under pressure slow down everything on them.", "nodes_top", "sort_by", "cpu")
	p.step("Which workloads scale with load, their targets and current replicas.", "resources_list", "resource", "horizontalpodautoscalers", "namespace", ns)
	p.step("Probe failures, evictions, FailedScheduling and back-offs.", "events_list", "namespace", ns, "warnings_only", true)
	if deploy != "" {
		p.step("Whether its rollout is complete, and the new revision's pods that are not ready and why.", "rollout_status", "kind", "deployment", "name", deploy, "namespace", ns)
		p.step("Its replicas, update strategy, probes and resources.", "resources_describe", "resource", "deployment", "name", deploy, "namespace", ns)
		p.step("Whether a recent revision changed the image or resources around when it got slower.", "rollout_history", "kind", "deployment", "name", deploy, "namespace", ns)
	}
	p.then = []string{
		fmt.Sprintf("For a pod that restarts, call %s with the pod filled in: the crashed instance's log says why it died.",
			p.call("pods_logs", "namespace", cmp.Or(ns, "<namespace>"), "name", "<pod>", "previous", true, "tail_lines", 100)),
		"A container at its CPU limit is throttled: raise the limit or scale out (more replicas, or a HorizontalPodAutoscaler where step 5 shows none).",
		"Probes that fail while a slow app starts want a startupProbe or a longer initialDelaySeconds, not a laxer liveness probe.",
	}
	p.answer = "the bottlenecks ranked by impact, each with its evidence and the concrete change (requests and limits, replicas or an autoscaler, probe settings, node capacity)."
	return p
}

func cost() *definition {
	return &definition{
		name: "cost_optimization", title: "Cost optimization",
		description: "What the workloads cost and where to save: over-provisioned requests, idle replicas, failing pods, unused claims and nodes.",
		args:        []argument{argNamespace, argCPUPrice, argGiBPrice, argCluster},
		build:       buildCost,
	}
}

func buildCost(a args) *plan {
	ns := a["namespace"]
	p := newPlan(a, "Estimate what the workloads cost and find where to save without hurting them.", "all namespaces")
	p.step("The monthly cost of each workload's requests, and the over-provisioned ones: requested but unused capacity is paid for.",
		"resource_usage", "namespace", ns, "cpu_hour_price", number(a["cpu_hour_price"]), "gib_hour_price", number(a["gib_hour_price"]))
	p.step("Nodes with little in use are candidates for consolidation.", "nodes_top", "sort_by", "cpu")
	p.step("The pods holding the most memory.", "pods_top", "namespace", ns, "sort_by", "memory")
	p.step("Failing pods and stuck rollouts still hold their requests: cost with no work done.", "find_issues", "namespace", ns)
	p.step("Replica counts: look for workloads with replicas but next to no usage.", "resources_list", "resource", "deployments", "namespace", ns)
	p.step("Volume claims: storage left behind by finished or removed workloads is paid for too.", "resources_list", "resource", "persistentvolumeclaims", "namespace", ns)
	p.then = []string{
		"Right-size from resource_usage's figures: requests near observed usage plus headroom (about 20-30% for CPU, more for memory, which cannot be throttled).",
		"Usage is one sample: before cutting, the user should check usage over a busy period.",
		"Say which prices the figures assume (resource_usage names them; without prices given, its defaults).",
	}
	p.answer = "the savings ranked by monthly amount: the workload, the change (new requests, fewer replicas, removed idle objects, fewer nodes), the saving and the risk; then the total."
	return p
}
