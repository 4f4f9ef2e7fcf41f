package nodes

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/backoff"
	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// retryEvery is how often an eviction a PodDisruptionBudget refused is tried
// again, as kubectl drain does.
const retryEvery = 5 * time.Second

// evictAll carries out the plan: skipped pods are reported, the others
// evicted in parallel, each retried while a PodDisruptionBudget refuses it and
// then waited for until it is gone, all within timeout.
func evictAll(ctx context.Context, kc *kube.Client, steps []step, grace *int64, timeout time.Duration) []DrainPod {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	e := evictor{kc: kc, grace: grace}
	out := make([]DrainPod, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		if s.action != evict {
			out[i] = DrainPod{s.pod.Namespace, s.pod.Name, resultSkipped, s.reason}
			continue
		}
		wg.Go(func() { out[i] = e.evict(ctx, s) })
	}
	wg.Wait()
	return out
}

type evictor struct {
	kc    *kube.Client
	grace *int64
}

func (e evictor) evict(ctx context.Context, s step) DrainPod {
	p := s.pod
	res := DrainPod{Namespace: p.Namespace, Name: p.Name}
	blocked := ""
	for {
		err := e.kc.Typed.PolicyV1().Evictions(p.Namespace).Evict(ctx, &policyv1.Eviction{
			ObjectMeta:    metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace},
			DeleteOptions: &metav1.DeleteOptions{GracePeriodSeconds: e.grace, Preconditions: &metav1.Preconditions{UID: &p.UID}},
		})
		switch {
		case err == nil:
			return e.waitGone(ctx, p, s.reason)
		case apierrors.IsNotFound(err) || apierrors.IsConflict(err): // gone, or replaced by a pod of the same name
			res.Result, res.Reason = resultEvicted, "already gone; "+s.reason
			return res
		case apierrors.IsTooManyRequests(err):
			blocked = statusMessage(err)
			if !backoff.Sleep(ctx, retryEvery) {
				res.Result, res.Reason = resultBlocked, blocked+" (retried until the timeout)"
				return res
			}
		case ctx.Err() != nil && blocked != "":
			res.Result, res.Reason = resultBlocked, blocked+" (retried until the timeout)"
			return res
		default:
			res.Result, res.Reason = resultFailed, toolset.Explain(err, toolset.Op{Verb: "create", Resource: "pods/eviction", Namespace: p.Namespace, Name: p.Name}).Error()
			return res
		}
	}
}

// waitGone waits until the evicted pod is deleted (or replaced by a new pod
// of the same name) or ctx ends.
func (e evictor) waitGone(ctx context.Context, p *corev1.Pod, reason string) DrainPod {
	res := DrainPod{Namespace: p.Namespace, Name: p.Name, Result: resultEvicted, Reason: reason}
	for {
		cur, err := e.kc.Typed.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) || err == nil && cur.UID != p.UID:
			return res
		case ctx.Err() != nil || !backoff.Sleep(ctx, time.Second):
			res.Result = resultTerminating
			res.Reason = "eviction accepted; still terminating when the timeout ended; " + reason
			return res
		}
	}
}

// statusMessage is the apiserver's message with its causes, e.g. "Cannot evict
// pod as it would violate the pod's disruption budget. The disruption budget
// web needs 2 healthy pods and has 2 currently".
func statusMessage(err error) string {
	var st apierrors.APIStatus
	if !errors.As(err, &st) {
		return err.Error()
	}
	s := st.Status()
	parts := []string{strings.TrimSpace(s.Message)}
	if s.Details != nil {
		for _, c := range s.Details.Causes {
			parts = append(parts, c.Message)
		}
	}
	return strings.Join(parts, " ")
}
