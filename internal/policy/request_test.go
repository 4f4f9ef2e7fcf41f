package policy

import (
	"net/url"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		method, url string
		want        Request
	}{
		{"GET", "/api/v1/pods", Request{Verb: "list", Version: "v1", Resource: "pods"}},
		{"GET", "/api/v1/namespaces/shop/pods", Request{Verb: "list", Version: "v1", Resource: "pods", Namespace: "shop"}},
		{"GET", "/api/v1/namespaces/shop/pods?watch=true", Request{Verb: "watch", Version: "v1", Resource: "pods", Namespace: "shop"}},
		{"GET", "/api/v1/watch/namespaces/shop/pods", Request{Verb: "watch", Version: "v1", Resource: "pods", Namespace: "shop"}},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/log", Request{Verb: "get", Version: "v1", Resource: "pods", Subresource: "log", Namespace: "shop", Name: "web-1"}},
		{"GET", "/api/v1/namespaces/shop/pods/web-1/exec?command=sh", Request{Verb: "create", Version: "v1", Resource: "pods", Subresource: "exec", Namespace: "shop", Name: "web-1"}},
		{"GET", "/api/v1/namespaces/shop/services/web:80/proxy/admin", Request{Verb: "create", Version: "v1", Resource: "services", Subresource: "proxy", Namespace: "shop", Name: "web:80"}},
		{"POST", "/api/v1/namespaces/shop/pods/web-1/portforward", Request{Verb: "create", Version: "v1", Resource: "pods", Subresource: "portforward", Namespace: "shop", Name: "web-1"}},
		{"DELETE", "/apis/apps/v1/namespaces/shop/deployments/web", Request{Verb: "delete", Group: "apps", Version: "v1", Resource: "deployments", Namespace: "shop", Name: "web"}},
		{"DELETE", "/apis/apps/v1/namespaces/shop/deployments", Request{Verb: "deletecollection", Group: "apps", Version: "v1", Resource: "deployments", Namespace: "shop"}},
		{"PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale", Request{Verb: "patch", Group: "apps", Version: "v1", Resource: "deployments", Subresource: "scale", Namespace: "shop", Name: "web"}},
		{"PUT", "/api/v1/nodes/n1", Request{Verb: "update", Version: "v1", Resource: "nodes", Name: "n1"}},
		{"GET", "/api/v1/namespaces", Request{Verb: "list", Version: "v1", Resource: "namespaces"}},
		{"DELETE", "/api/v1/namespaces/kube-system", Request{Verb: "delete", Version: "v1", Resource: "namespaces", Name: "kube-system", Namespace: "kube-system"}},
		{"PUT", "/api/v1/namespaces/x/finalize", Request{Verb: "update", Version: "v1", Resource: "namespaces", Subresource: "finalize", Name: "x", Namespace: "x"}},
		{"POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Request{Verb: "create", Group: "authorization.k8s.io", Version: "v1", Resource: "selfsubjectaccessreviews"}},
		{"GET", "/apis/apps/v1", Request{Verb: "get", Group: "apps", Version: "v1", NonResource: true}},
		{"GET", "/version", Request{Verb: "get", NonResource: true}},
		{"POST", "/api/v1", Request{Verb: "post", Version: "v1", NonResource: true}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			u, err := url.Parse(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			got := ParseRequest(tt.method, u)
			tt.want.Path = u.Path
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{"/api/v1/namespaces/a/pods/b/exec", "/apis/x/y/namespaces", "//api//v1/../pods", "/apis"} {
		f.Add("GET", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r := ParseRequest(method, &url.URL{Path: path})
		if r.Verb == "" && method != "" {
			t.Fatalf("no verb for %s %q", method, path)
		}
		if !r.NonResource && r.Resource == "" {
			t.Fatalf("a resource request without a resource: %q -> %+v", path, r)
		}
	})
}
