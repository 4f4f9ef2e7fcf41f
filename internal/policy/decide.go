package policy

import (
	"fmt"
)

// DeniedError is a request the policy refused, with the reason: the rule or
// mode that refused it.
type DeniedError struct {
	Request Request
	Reason  string
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("kubemcp policy refused %s: %s", e.Request, e.Reason)
}

// selfReviews are the creates that only ask the apiserver about the caller.
var selfReviews = map[string]bool{
	"authorization.k8s.io/selfsubjectaccessreviews": true,
	"authorization.k8s.io/selfsubjectrulesreviews":  true,
	"authentication.k8s.io/selfsubjectreviews":      true,
}

// Decide returns nil if req may reach the apiserver, else a *DeniedError.
func (c Config) Decide(req Request) error {
	deny := func(reason string) error { return &DeniedError{Request: req, Reason: reason} }
	if c.ReadOnly && !isRead(req.Verb) && !selfReviews[req.Group+"/"+req.Resource] {
		return deny("read-only mode lets only get, list and watch reach the cluster")
	}
	for _, r := range c.Deny {
		if r.matches(req, true) {
			return deny("deny rule " + r.label() + " covers it")
		}
	}
	if len(c.Allow) == 0 || req.NonResource && isRead(req.Verb) {
		return nil
	}
	for _, r := range c.Allow {
		if r.matches(req, false) {
			return nil
		}
	}
	return deny("no allow rule covers it")
}
