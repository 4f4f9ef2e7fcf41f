package prompts

import "fmt"

// catalog is every prompt kubemcp offers (prompts/list sorts them by name).
func catalog() []*definition {
	return []*definition{clusterStatus(), troubleshootPod(), resourceUsage(), securityAssessment(), performance(), cost()}
}

// errorLines is what a log line that reports a failure usually holds.
const errorLines = "(?i)(error|exception|fatal|panic|refused|timeout)"

func clusterStatus() *definition {
	ns := argNamespace
	ns.description = "namespace to focus on; default: the whole cluster"
	return &definition{
		name: "cluster_status", title: "Cluster status analysis",
		description: "Is the cluster healthy? Apiserver, nodes and every failing workload, ranked, with what to do first.",
		args:        []argument{ns, argCluster},
		build:       buildClusterStatus,
	}
}

func buildClusterStatus(a args) *plan {
	ns := a["namespace"]
	p := newPlan(a, "Analyse the status of the cluster: is it healthy, and if not, what is wrong, where, and what to do first.", "all namespaces")
	p.step("Apiserver readiness checks, which nodes are ready, and problem counts by reason.", "cluster_health")
	p.step("Every failing pod, stuck rollout, failed Job, sick node and pending claim, each with its evidence and the next call that helps.", "find_issues", "namespace", ns)
	p.step("Node CPU and memory use against allocatable: pressure shows here before it shows as failures.", "nodes_top", "sort_by", "cpu")
	p.step("Recent warnings, newest first: what the cluster itself has been reporting.", "events_list", "namespace", ns, "warnings_only", true)
	if ns != "" {
		p.step("The namespace at a glance: objects by status, issues, warnings and top consumers.", "namespace_overview", "namespace", ns)
	}
	p.then = []string{
		"If cluster_health reports the apiserver or most nodes not ready, stop there: that is the finding.",
		"For the most severe findings (at most five), make the next call each finding names, and read what it shows.",
		"If nodes_top says metrics-server is not installed, say so and go on without usage figures.",
	}
	if ns == "" {
		p.then = append(p.then, fmt.Sprintf("For each namespace that has findings, call %s with <namespace> replaced by its name, to see how much of it is affected.",
			p.call("namespace_overview", "namespace", "<namespace>")))
	}
	p.answer = "a verdict first (healthy, degraded or down), then the problems by severity, each with the object, the evidence and the first thing to do about it."
	return p
}

func troubleshootPod() *definition {
	ns := argNamespace
	ns.description = "the pod's namespace; default: the context's namespace"
	return &definition{
		name: "troubleshoot_pod", title: "Pod troubleshooting",
		description: "Why is this pod failing? Status, events and logs (the crashed instance's too), then the cause and the fix.",
		args:        []argument{argPod, ns, argCluster},
		build:       buildTroubleshootPod,
	}
}

func buildTroubleshootPod(a args) *plan {
	ns, pod := a["namespace"], a["pod"]
	p := newPlan(a, fmt.Sprintf("Find out why pod %s is not working, and how to fix it.", quote(pod)), "the context's namespace")
	p.step("Each container's state, restarts, last termination (reason and exit code) and resources; the pod's conditions.", "pods_get", "namespace", ns, "name", pod)
	p.step("The owner, node, key facts and the pod's recent events.", "resources_describe", "resource", "pod", "namespace", ns, "name", pod)
	p.step("Every event about the pod, newest first: scheduling, image pulls, probe failures, kills.", "events_list", "namespace", ns, "kind", "Pod", "name", pod)
	p.step("The running container's newest 200 log lines.", "pods_logs", "namespace", ns, "name", pod, "tail_lines", 200)
	p.step("The log of the previous, crashed instance: skip this if step 1 shows no restarts.", "pods_logs", "namespace", ns, "name", pod, "previous", true, "tail_lines", 200)
	p.step("Error lines from further back than the tail.", "pods_logs", "namespace", ns, "name", pod, "regex", errorLines, "tail_lines", 50)
	p.step("CPU and memory in use now, to hold against the limits from step 1.", "pods_top", "namespace", ns, "name", pod, "containers", true)
	p.then = []string{
		"Pending: the scheduler's reason is in the events (insufficient cpu or memory, taints, node affinity, an unbound PersistentVolumeClaim); check capacity with " + p.call("nodes_top") + ".",
		"ImagePullBackOff or ErrImagePull: hold the image from step 1 against the pull error in the events (wrong name or tag, a private registry without imagePullSecrets, an unreachable registry).",
		"CrashLoopBackOff or a non-zero last exit: the cause is usually at the end of the previous log (step 5).",
		"OOMKilled (exit code 137): hold the memory limit from step 1 against the usage from step 7.",
		"Running but not ready: probe failures are in the events, the probe settings in step 2.",
		"If the pod has several containers, add \"container\" to the pods_logs calls for the one that fails.",
		fmt.Sprintf("If a Deployment owns the pod (through a ReplicaSet, step 2), call %s with <deployment> replaced by its name: a recent revision may have changed the image or settings.",
			p.call("rollout_history", "kind", "deployment", "name", "<deployment>", "namespace", ns)),
	}
	p.answer = "the root cause in one sentence, the evidence (quote the decisive log lines or event messages) and the fix: the exact change, or a rollout call with action undo and to_revision the last good revision, when that is the fastest way back."
	return p
}

func securityAssessment() *definition {
	return &definition{
		name: "security_assessment", title: "Security assessment",
		description: "Unsafe pod settings, who can read Secrets or exec into pods, network policies and Pod Security, ranked by risk.",
		args:        []argument{argNamespace, argCluster},
		build:       buildSecurityAssessment,
	}
}

func buildSecurityAssessment(a args) *plan {
	ns := a["namespace"]
	p := newPlan(a, "Assess the security of the workloads and of who may access them, and rank what to fix.", "all namespaces")
	p.step("Unsafe pod settings (privileged, host access, root, no limits, :latest images, automounted tokens, Secrets in env), each with its fix.", "security_scan", "namespace", ns)
	p.step("Who can read Secrets.", "rbac_who_can", "verb", "get", "resource", "secrets", "namespace", ns)
	p.step("Who can run commands inside containers.", "rbac_who_can", "verb", "create", "resource", "pods/exec", "namespace", ns)
	p.step("Who can do everything: cluster administrators in all but name.", "rbac_who_can", "verb", "*", "resource", "*", "namespace", ns)
	if ns != "" {
		p.step("What the namespace's default service account may do: every pod that names none runs as it.", "rbac_subject_permissions", "service_account", ns+"/default")
	}
	p.step("Network policies: where there are none, every pod may reach every other.", "resources_list", "resource", "networkpolicies", "namespace", ns)
	if ns != "" {
		p.step("The namespace's pod-security.kubernetes.io labels: which Pod Security Standard it enforces.", "resources_get", "resource", "namespace", "name", ns)
	} else {
		p.step("Namespaces that enforce no Pod Security Standard.", "resources_list", "resource", "namespaces", "label_selector", "!pod-security.kubernetes.io/enforce")
	}
	p.then = []string{
		"For each critical or high finding, name the workload to change (the Deployment, StatefulSet or DaemonSet that owns the pod, from resources_describe), not the pod.",
		"Grants to subjects that are neither system components nor administrators are findings; so are grants to default service accounts.",
		fmt.Sprintf("To confirm one subject's access, ask %s with the verb, resource and subject filled in.",
			p.call("rbac_can_i", "verb", "<verb>", "resource", "<resource>", "namespace", ns, "service_account", "<namespace>/<name>")),
	}
	p.answer = "the findings ranked critical, high, medium and low; each with the object, the risk in one sentence and the concrete fix (the field to set, the binding to remove, the policy to add)."
	return p
}
