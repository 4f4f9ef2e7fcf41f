package toolset

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/policy"
)

// Op describes what a tool asked of Kubernetes, so that a refusal can be told
// back as a sentence the model can act on.
type Op struct {
	Verb      string // get, list, ...
	Resource  string // plural resource, e.g. "pods"
	Namespace string // empty for cluster-scoped or all namespaces
	Name      string
	// ListCall is the tool call that shows what exists, offered on "not found",
	// e.g. `pods_list {"namespace":"shop"}`.
	ListCall string
}

func (o Op) where() string {
	if o.Namespace == "" {
		return ""
	}
	return fmt.Sprintf(" in namespace %q", o.Namespace)
}

// Explain turns an error from the Kubernetes API into one that says what went
// wrong and what to try next. Every tool passes its API errors through here.
func Explain(err error, op Op) error {
	if err == nil {
		return nil
	}
	var unknown *kube.UnknownKindError
	var denied *policy.DeniedError
	switch {
	case errors.As(err, &denied):
		return fmt.Errorf("%s. This is kubemcp's own policy, not Kubernetes RBAC; the server's configuration decides it", denied.Error())
	case errors.As(err, &unknown):
		return fmt.Errorf("%w. Name the resource by its plural (e.g. \"deployments\"), short name (\"deploy\") or apiVersion and kind", err)
	case errors.Is(err, kube.ErrNoKind):
		return err
	case apierrors.IsNotFound(err):
		msg := fmt.Sprintf("%s %q not found%s", op.Resource, op.Name, op.where())
		if op.ListCall != "" {
			msg += ". To see what exists, call " + op.ListCall
		}
		return errors.New(msg)
	case apierrors.IsForbidden(err):
		next := "try a namespace you can read"
		if !isRead(op.Verb) {
			next = "leave the change to someone allowed to make it"
		}
		return fmt.Errorf("forbidden: Kubernetes RBAC does not allow %q on %s%s (%s). Ask a cluster admin for a Role that grants it, or %s",
			op.Verb, op.Resource, op.where(), APIMessage(err), next)
	case apierrors.IsConflict(err):
		return fmt.Errorf("conflict: %s changed since it was read (%s). Read it again and retry with the current version", what(op), APIMessage(err))
	case apierrors.IsAlreadyExists(err):
		return fmt.Errorf("%s already exists%s; use resources_apply or resources_patch to change it", what(op), op.where())
	case apierrors.IsTooManyRequests(err):
		return fmt.Errorf("the apiserver asked to slow down (429: %s); a PodDisruptionBudget or the server's fairness limits refused it for now. Retry later", APIMessage(err))
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("the cluster rejected the credentials (401 Unauthorized): the kubeconfig's token or certificate is missing, wrong or expired")
	case apierrors.IsBadRequest(err) || apierrors.IsInvalid(err):
		return fmt.Errorf("the cluster refused the request as invalid: %s", APIMessage(err))
	case errors.Is(err, context.DeadlineExceeded) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err):
		return fmt.Errorf("%s %s%s timed out; narrow the request (a namespace, a label selector) or try again", op.Verb, op.Resource, op.where())
	case isUnreachable(err):
		// The network error alone: the URL around it would echo the call's
		// arguments (selectors, names) into results and the audit log.
		return fmt.Errorf("cannot reach the cluster's apiserver (%w); check that the cluster is running and the kubeconfig's server address is right", netCause(err))
	}
	return fmt.Errorf("%s %s%s: %w", op.Verb, op.Resource, op.where(), err)
}

// APIMessage is the apiserver's own message in err, or err's text.
func APIMessage(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return strings.TrimSpace(status.Status().Message)
	}
	return err.Error()
}

func what(op Op) string {
	if op.Name != "" {
		return fmt.Sprintf("%s %q", op.Resource, op.Name)
	}
	return op.Resource
}

func isRead(verb string) bool {
	return verb == "get" || verb == "list" || verb == "watch" || verb == ""
}

func isUnreachable(err error) bool { return netCause(err) != nil }

func netCause(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr
	}
	return nil
}
