package toolset

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
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

// Explained is an error told as a sentence that says what to do next. It
// keeps the error it explains, so errors.Is and errors.As still see it.
type Explained struct {
	msg string
	err error
}

func (e *Explained) Error() string { return e.msg }
func (e *Explained) Unwrap() error { return e.err }

// Explain turns an error from the Kubernetes API into one that says what went
// wrong and what to try next, in the words of op. A tool that knows more than
// the error (which list call shows what exists) passes its errors through
// here; the gate explains every other error a handler returns the same way,
// from what the error itself says (see explainAny).
func Explain(err error, op Op) error {
	if err == nil {
		return nil
	}
	var done *Explained
	if errors.As(err, &done) {
		return err
	}
	if msg, ok := sentence(err, op); ok {
		return &Explained{msg, err}
	}
	return &Explained{fmt.Sprintf("%s %s%s: %v", op.Verb, op.Resource, op.where(), err), err}
}

// explainAny is the text of any error a handler returned: as explained, if
// it was; else explained from the error itself where it is a kind of error
// Explain knows, after what the handler said in wrapping it ("nothing was
// applied: ..."), and as it is otherwise (the handler's own sentence). own
// is false in that last case: the text is not a sentence of kubemcp's.
func explainAny(err error) (msg string, own bool) {
	var done *Explained
	if errors.As(err, &done) {
		return err.Error(), true
	}
	if msg, ok := sentence(err, opOf(err)); ok {
		return wrapping(err) + msg, true
	}
	return err.Error(), false
}

// wrapping is what a handler's wraps of err add before the text of the
// error they wrap ("creating x: "), or "" when they add nothing or more than
// a prefix. A request's own wrap (url.Error: the method and the apiserver's
// URL) is part of the error, not the handler's words.
func wrapping(err error) string {
	inner := err
	for next := errors.Unwrap(inner); next != nil; next = errors.Unwrap(inner) {
		if _, request := inner.(*url.Error); request {
			break
		}
		inner = next
	}
	prefix, ok := strings.CutSuffix(err.Error(), inner.Error())
	if !ok || inner == err {
		return ""
	}
	return prefix
}

// opOf is what an API error says about the request that failed.
func opOf(err error) Op {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil {
		return Op{}
	}
	d := status.Status().Details
	resource := d.Kind // the apiserver puts the resource here: "pods"
	if d.Group != "" && resource != "" {
		resource += "." + d.Group
	}
	return Op{Resource: resource, Name: d.Name}
}

// sentence explains the errors it knows; ok is false for any other.
func sentence(err error, op Op) (msg string, ok bool) {
	var unknown *kube.UnknownKindError
	var denied *policy.DeniedError
	switch {
	case errors.As(err, &denied):
		return fmt.Sprintf("%s. This is kubemcp's own policy, not Kubernetes RBAC; the server's configuration decides it", denied.Error()), true
	case errors.As(err, &unknown):
		return fmt.Sprintf("%v. Name the resource by its plural (e.g. \"deployments\"), short name (\"deploy\") or apiVersion and kind", err), true
	case errors.Is(err, kube.ErrNoKind):
		return err.Error(), true
	case apierrors.IsNotFound(err):
		return notFound(err, op), true
	case apierrors.IsForbidden(err):
		return forbidden(err, op), true
	case apierrors.IsConflict(err):
		return fmt.Sprintf("conflict: %s changed since it was read (%s). Read it again and retry with the current version", what(op), APIMessage(err)), true
	case apierrors.IsAlreadyExists(err):
		return fmt.Sprintf("%s already exists%s; use resources_apply or resources_patch to change it", what(op), op.where()), true
	case apierrors.IsTooManyRequests(err):
		return fmt.Sprintf("the apiserver asked to slow down (429: %s); a PodDisruptionBudget or the server's fairness limits refused it for now. Retry later", APIMessage(err)), true
	case apierrors.IsUnauthorized(err):
		return "the cluster rejected the credentials (401 Unauthorized): the token or certificate (the caller's own under passthrough, else the kubeconfig's) is missing, wrong, revoked or expired", true
	case apierrors.IsBadRequest(err) || apierrors.IsInvalid(err):
		return fmt.Sprintf("the cluster refused the request as invalid: %s", APIMessage(err)), true
	case errors.Is(err, context.DeadlineExceeded) || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err):
		return fmt.Sprintf("%s timed out; narrow the request (a namespace, a label selector) or try again", strings.TrimSpace(op.Verb+" "+op.Resource+op.where())), true
	case isUnreachable(err):
		// The network error alone: the URL around it would echo the call's
		// arguments (selectors, names) into results and the audit log.
		return fmt.Sprintf("cannot reach the cluster's apiserver (%v); check that the cluster is running and the kubeconfig's server address is right", netCause(err)), true
	}
	return "", false
}

func notFound(err error, op Op) string {
	if op.Resource == "" {
		return APIMessage(err) + ". List what exists first (resources_list)"
	}
	msg := fmt.Sprintf("%s %q not found%s", op.Resource, op.Name, op.where())
	if op.ListCall != "" {
		msg += ". To see what exists, call " + op.ListCall
	}
	return msg
}

func forbidden(err error, op Op) string {
	if isAdmissionRefusal(err) {
		return fmt.Sprintf("refused by the cluster's admission control, not RBAC (%s). Change the request to satisfy it, or ask a cluster admin about the quota, webhook or policy that refused it", APIMessage(err))
	}
	if op.Verb == "" {
		return fmt.Sprintf("forbidden: Kubernetes RBAC refused this (%s). Ask a cluster admin for a Role that grants it", APIMessage(err))
	}
	next := "try a namespace you can read"
	if !isRead(op.Verb) {
		next = "leave the change to someone allowed to make it"
	}
	return fmt.Sprintf("forbidden: Kubernetes RBAC does not allow %q on %s%s (%s). Ask a cluster admin for a Role that grants it, or %s",
		op.Verb, op.Resource, op.where(), APIMessage(err), next)
}

// isAdmissionRefusal tells an admission plugin's 403 (a ResourceQuota, a
// webhook, a policy, Pod Security) from the authorizer's (User "x" cannot
// create resource ...), by the words each uses; an unclear one counts as
// RBAC's, as every 403 did before.
func isAdmissionRefusal(err error) bool {
	msg := APIMessage(err)
	if strings.Contains(msg, `" cannot `) {
		return false
	}
	for _, mark := range []string{"exceeded quota", "admission webhook", "ValidatingAdmissionPolicy", "violates PodSecurity", "denied the request", "unable to create new content in namespace"} {
		if strings.Contains(msg, mark) {
			return true
		}
	}
	return false
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
