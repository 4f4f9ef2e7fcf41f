package nodes

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// predict is the dry run of a plan: what each pod's eviction would meet,
// judged from the PodDisruptionBudgets' status as the Eviction API judges it,
// without asking the API to evict (a dry-run eviction is still a create,
// which read-only mode refuses).
func predict(ctx context.Context, kc *kube.Client, steps []step) []DrainPod {
	b := budgets{kc: kc, byNS: map[string][]policyv1.PodDisruptionBudget{}, errs: map[string]error{}, allowed: map[string]int32{}}
	out := make([]DrainPod, 0, len(steps))
	for _, s := range steps {
		res := DrainPod{Namespace: s.pod.Namespace, Name: s.pod.Name, Reason: s.reason}
		switch s.action {
		case skip:
			res.Result = resultSkipped
		case refuse:
			res.Result = resultRefused
		default:
			res.Result, res.Reason = b.judge(ctx, s)
		}
		out = append(out, res)
	}
	return out
}

// budgets caches the PodDisruptionBudgets of the namespaces a drain touches
// and counts down the disruptions each still allows.
type budgets struct {
	kc      *kube.Client
	byNS    map[string][]policyv1.PodDisruptionBudget
	errs    map[string]error
	allowed map[string]int32 // by namespace/name
}

func (b *budgets) of(ctx context.Context, ns string) ([]policyv1.PodDisruptionBudget, error) {
	if list, ok := b.byNS[ns]; ok {
		return list, b.errs[ns]
	}
	list, err := b.kc.Typed.PolicyV1().PodDisruptionBudgets(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		b.byNS[ns], b.errs[ns] = nil, toolset.Explain(err, toolset.Op{Verb: "list", Resource: "poddisruptionbudgets", Namespace: ns})
		return nil, b.errs[ns]
	}
	b.byNS[ns] = list.Items
	for _, pdb := range list.Items {
		b.allowed[ns+"/"+pdb.Name] = pdb.Status.DisruptionsAllowed
	}
	return list.Items, nil
}

func (b *budgets) judge(ctx context.Context, s step) (string, string) {
	p := s.pod
	if p.Status.Phase != corev1.PodRunning {
		return resultWouldEvict, s.reason // budgets only guard running pods
	}
	all, err := b.of(ctx, p.Namespace)
	if err != nil {
		return resultWouldEvict, s.reason + "; could not check PodDisruptionBudgets: " + err.Error()
	}
	covering := matching(all, p)
	switch len(covering) {
	case 0:
		return resultWouldEvict, s.reason
	case 1:
		return b.judgeBudget(&covering[0], p, s.reason)
	}
	names := make([]string, len(covering))
	for i := range covering {
		names[i] = covering[i].Name
	}
	return resultWouldBlock, fmt.Sprintf("covered by several PodDisruptionBudgets (%s); the Eviction API refuses such pods", strings.Join(names, ", "))
}

func (b *budgets) judgeBudget(pdb *policyv1.PodDisruptionBudget, p *corev1.Pod, reason string) (string, string) {
	key := pdb.Namespace + "/" + pdb.Name
	st := pdb.Status
	switch {
	case st.ObservedGeneration < pdb.Generation:
		return resultWouldBlock, fmt.Sprintf("PodDisruptionBudget %s is still being processed by its controller", pdb.Name)
	case !ready(p) && (alwaysAllowUnhealthy(pdb) || st.CurrentHealthy >= st.DesiredHealthy && st.DesiredHealthy > 0):
		return resultWouldEvict, reason + fmt.Sprintf("; not ready, which PodDisruptionBudget %s lets go", pdb.Name)
	case b.allowed[key] <= 0:
		return resultWouldBlock, fmt.Sprintf("PodDisruptionBudget %s allows no more disruptions (needs %d healthy pods and has %d)", pdb.Name, st.DesiredHealthy, st.CurrentHealthy)
	}
	b.allowed[key]--
	return resultWouldEvict, reason + fmt.Sprintf("; PodDisruptionBudget %s allows it", pdb.Name)
}

// matching returns the budgets whose selector selects p; in policy/v1 an
// empty selector selects every pod of the namespace, a missing one none.
func matching(all []policyv1.PodDisruptionBudget, p *corev1.Pod) []policyv1.PodDisruptionBudget {
	var out []policyv1.PodDisruptionBudget
	for _, pdb := range all {
		if pdb.Spec.Selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err == nil && sel.Matches(labels.Set(p.Labels)) {
			out = append(out, pdb)
		}
	}
	return out
}

func alwaysAllowUnhealthy(pdb *policyv1.PodDisruptionBudget) bool {
	return pdb.Spec.UnhealthyPodEvictionPolicy != nil && *pdb.Spec.UnhealthyPodEvictionPolicy == policyv1.AlwaysAllow
}

func ready(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
