package testenv

import (
	"context"
	"fmt"
	"time"

	authv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Grant gives who a Role called name in ns with rules, bound by a RoleBinding,
// and returns once the apiserver allows each rule. Its RBAC authorizer learns
// of new bindings through a watch, so a call made right after the create can
// still be refused; tests that grant and then call must wait, and this does.
func (e *Env) Grant(ctx context.Context, ns, name string, who rbacv1.Subject, rules ...rbacv1.PolicyRule) error {
	rbac := e.Clientset("admin").RbacV1()
	if _, err := rbac.Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating Role %s/%s: %w", ns, name, err)
	}
	rb := &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: []rbacv1.Subject{who},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}}
	if _, err := rbac.RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating RoleBinding %s/%s: %w", ns, name, err)
	}
	for _, r := range rules {
		attrs := authv1.ResourceAttributes{Namespace: ns, Verb: r.Verbs[0], Group: r.APIGroups[0], Resource: r.Resources[0]}
		if err := e.WaitAllowed(ctx, who, attrs); err != nil {
			return err
		}
	}
	return nil
}

// WaitAllowed waits up to 10 s until the apiserver allows who the request.
func (e *Env) WaitAllowed(ctx context.Context, who rbacv1.Subject, attrs authv1.ResourceAttributes) error {
	spec := authv1.SubjectAccessReviewSpec{ResourceAttributes: &attrs}
	switch who.Kind {
	case rbacv1.GroupKind:
		spec.User, spec.Groups = "testenv-probe", []string{who.Name}
	case rbacv1.ServiceAccountKind:
		spec.User = "system:serviceaccount:" + who.Namespace + ":" + who.Name
		spec.Groups = []string{"system:serviceaccounts", "system:serviceaccounts:" + who.Namespace}
	default:
		spec.User = who.Name
	}
	reviews := e.Clientset("admin").AuthorizationV1().SubjectAccessReviews()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := reviews.Create(ctx, &authv1.SubjectAccessReview{Spec: spec}, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("asking whether %s may %s %s: %w", who.Name, attrs.Verb, attrs.Resource, err)
		}
		if r.Status.Allowed {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s %s is still not allowed to %s %s in %q after 10s", who.Kind, who.Name, attrs.Verb, attrs.Resource, attrs.Namespace)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
