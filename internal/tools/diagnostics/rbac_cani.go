package diagnostics

import (
	"context"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/kube"
	"github.com/kubemcp/kubemcp/internal/toolset"
)

// CanIIn asks whether the caller, or a named subject, may do something.
type CanIIn struct {
	toolset.Target
	AccessIn
	SubjectIn
}

// CanIOut is the apiserver's answer.
type CanIOut struct {
	Allowed   bool   `json:"allowed"`
	Subject   string `json:"subject"`
	Access    string `json:"access" jsonschema:"the request asked about, made exact"`
	Namespace string `json:"namespace,omitempty"`
	Reason    string `json:"reason,omitempty" jsonschema:"the authorizer's reason"`
}

func (d *Diagnostics) rbacCanI() toolset.Tool {
	return toolset.FanOut(d.deps, mcp.Tool{
		Name:        "rbac_can_i",
		Description: "Whether you, or a user, group or service account, may do a verb on a resource.",
		Annotations: toolset.ReadOnly("Can I"),
	}, d.canI)
}

func (d *Diagnostics) canI(ctx context.Context, _ *mcp.CallToolRequest, in CanIIn) (string, CanIOut, error) {
	out := CanIOut{}
	kc, err := d.deps.Clusters.Get(ctx, in.Cluster)
	if err != nil {
		return "", out, err
	}
	a, namespaced, err := in.resolve(kc)
	if err != nil {
		return "", out, err
	}
	if namespaced {
		out.Namespace = in.Namespace
	}
	out.Access = a.String()
	var status authv1.SubjectAccessReviewStatus
	if in.named() {
		status, out.Subject, err = reviewFor(ctx, kc, in.SubjectIn, a, out.Namespace)
	} else {
		out.Subject = "you (the identity kubemcp uses)"
		status, err = reviewSelf(ctx, kc, a, out.Namespace)
	}
	if err != nil {
		return "", out, err
	}
	out.Allowed, out.Reason = status.Allowed && !status.Denied, status.Reason
	return canIText(in, out, namespaced, status.EvaluationError), out, nil
}

func attributes(a access, ns string) (*authv1.ResourceAttributes, *authv1.NonResourceAttributes) {
	if a.path != "" {
		return nil, &authv1.NonResourceAttributes{Path: a.path, Verb: a.verb}
	}
	return &authv1.ResourceAttributes{Namespace: ns, Verb: a.verb, Group: a.group, Resource: a.resource, Subresource: a.subresource, Name: a.name}, nil
}

func reviewSelf(ctx context.Context, kc *kube.Client, a access, ns string) (authv1.SubjectAccessReviewStatus, error) {
	res, nonRes := attributes(a, ns)
	r, err := kc.Typed.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authv1.SelfSubjectAccessReview{
		Spec: authv1.SelfSubjectAccessReviewSpec{ResourceAttributes: res, NonResourceAttributes: nonRes}}, metav1.CreateOptions{})
	if err != nil {
		return authv1.SubjectAccessReviewStatus{}, toolset.Explain(err, toolset.Op{Verb: "create", Resource: "selfsubjectaccessreviews.authorization.k8s.io"})
	}
	return r.Status, nil
}

// reviewFor asks about someone else, which takes the right to create
// SubjectAccessReviews; without it the answer says where else to look.
func reviewFor(ctx context.Context, kc *kube.Client, in SubjectIn, a access, ns string) (authv1.SubjectAccessReviewStatus, string, error) {
	who, desc, err := in.subject()
	if err != nil {
		return authv1.SubjectAccessReviewStatus{}, "", err
	}
	res, nonRes := attributes(a, ns)
	r, err := kc.Typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authv1.SubjectAccessReview{
		Spec: authv1.SubjectAccessReviewSpec{User: who.user, Groups: who.groups, ResourceAttributes: res, NonResourceAttributes: nonRes}}, metav1.CreateOptions{})
	if err != nil && isRefusal(err) {
		return authv1.SubjectAccessReviewStatus{}, desc, fmt.Errorf("cannot ask about %s: asking about someone else takes creating subjectaccessreviews.authorization.k8s.io, and %s (%s). "+
			"Leave out user, groups and service_account to ask about yourself, or call rbac_subject_permissions, which reads the answer from the RBAC bindings if you may list them",
			desc, refusedBy(err), toolset.APIMessage(err))
	}
	if err != nil {
		return authv1.SubjectAccessReviewStatus{}, desc, toolset.Explain(err, toolset.Op{Verb: "create", Resource: "subjectaccessreviews.authorization.k8s.io"})
	}
	return r.Status, desc, nil
}

func refusedBy(err error) string {
	if refusal(err) == "forbidden by RBAC" {
		return "Kubernetes RBAC does not allow that for the identity kubemcp uses"
	}
	return "kubemcp's policy refuses it"
}

func canIText(in CanIIn, out CanIOut, namespaced bool, evalErr string) string {
	where := ""
	switch {
	case out.Namespace != "":
		where = fmt.Sprintf(" in namespace %q", out.Namespace)
	case namespaced:
		where = " in every namespace"
	}
	answer := fmt.Sprintf("yes: %s may %s%s.\n", out.Subject, out.Access, where)
	if !out.Allowed {
		answer = fmt.Sprintf("no: %s may not %s%s.\n", out.Subject, out.Access, where)
	}
	if out.Reason != "" {
		answer += "Why: " + out.Reason + "\n"
	}
	if evalErr != "" {
		answer += "The authorizer also reported: " + evalErr + "\n"
	}
	if !out.Allowed {
		answer += "To see who may: " + call("rbac_who_can", "verb", in.Verb, "resource", in.Resource, "namespace", out.Namespace) + "\n"
	}
	return answer
}
