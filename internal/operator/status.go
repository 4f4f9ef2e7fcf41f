package operator

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// status is an MCPServer's status, as the CRD defines it.
type status struct {
	ObservedGeneration int64              `json:"observedGeneration"`
	ToolCount          int                `json:"toolCount"`
	LastError          string             `json:"lastError,omitempty"`
	Conditions         []metav1.Condition `json:"conditions"`
}

// lead competes for the Lease until ctx ends; while this replica holds it,
// it writes status every StatusEvery.
func (o *Operator) lead(ctx context.Context) {
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: o.opts.LeaseNamespace, Name: o.opts.LeaseName},
		Client:     o.typed.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: o.opts.Identity},
	}
	d := o.opts.LeaseDuration
	for ctx.Err() == nil { // RunOrDie returns when leadership is lost; stand again
		leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
			Lock: lock, LeaseDuration: d, RenewDeadline: d * 2 / 3, RetryPeriod: d / 5, ReleaseOnCancel: true,
			Name: o.opts.LeaseName,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: o.writeStatus,
				OnStoppedLeading: func() { o.log.Info("no longer the MCPServer status writer", "identity", o.opts.Identity) },
			},
		})
	}
}

// writeStatus brings every MCPServer's status up to date until ctx ends.
func (o *Operator) writeStatus(ctx context.Context) {
	o.log.Info("writing MCPServer status", "identity", o.opts.Identity)
	tick := time.NewTicker(o.opts.StatusEvery)
	defer tick.Stop()
	for {
		objs, _ := o.lister.List(labels.Everything()) // a lister never fails
		for _, obj := range objs {
			if err := o.updateStatus(ctx, obj.(*unstructured.Unstructured)); err != nil && ctx.Err() == nil {
				o.log.Warn("writing MCPServer status", "mcpserver", obj.(*unstructured.Unstructured).GetName(), "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// updateStatus writes obj's status when it differs from what it should be.
func (o *Operator) updateStatus(ctx context.Context, obj *unstructured.Unstructured) error {
	var have status
	if raw, ok := obj.Object["status"].(map[string]any); ok {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &have) // a malformed status is rewritten
	}
	want := o.desired(obj, have)
	if reflect.DeepEqual(normal(have), normal(want)) {
		return nil
	}
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&want)
	if err != nil {
		return err
	}
	next := obj.DeepCopy()
	next.Object["status"] = raw
	_, err = o.dyn.Resource(GVR).Namespace(obj.GetNamespace()).UpdateStatus(ctx, next, metav1.UpdateOptions{FieldManager: o.fieldManager()})
	return err
}

// fieldManager names this replica in the objects' managedFields, so that
// who wrote a status is on record.
func (o *Operator) fieldManager() string { return "kubemcp-operator/" + o.opts.Identity }

// desired is obj's status from the gateway's view of it now; a condition
// keeps its transition time while its status holds.
func (o *Operator) desired(obj *unstructured.Unstructured, have status) status {
	key := obj.GetNamespace() + "/" + obj.GetName()
	s := status{ObservedGeneration: obj.GetGeneration(), Conditions: have.Conditions}
	ready := metav1.Condition{Type: "Ready", ObservedGeneration: obj.GetGeneration(), LastTransitionTime: metav1.Now()}
	state, attached := o.opts.Gateway.State(obj.GetName())
	switch err := o.problem(key); {
	case err != nil:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, "Invalid", err.Error()
		s.LastError = err.Error()
	case !attached:
		ready.Status, ready.Reason, ready.Message = metav1.ConditionUnknown, "Pending", "not attached yet"
	case state.Connected:
		s.ToolCount = len(state.Tools)
		ready.Status, ready.Reason, ready.Message = metav1.ConditionTrue, "Connected", fmt.Sprintf("%d tools served as %s__<tool>", s.ToolCount, obj.GetName())
	default:
		ready.Status, ready.Reason = metav1.ConditionFalse, "Disconnected"
		ready.Message = "connecting; kubemcp retries with backoff"
		if state.LastError != "" {
			ready.Message, s.LastError = state.LastError, state.LastError
		}
	}
	meta.SetStatusCondition(&s.Conditions, ready)
	return s
}

// normal is s without transition times, for comparing what matters.
func normal(s status) status {
	s.Conditions = append([]metav1.Condition(nil), s.Conditions...)
	for i := range s.Conditions {
		s.Conditions[i].LastTransitionTime = metav1.Time{}
	}
	return s
}
