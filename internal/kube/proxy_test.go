package kube

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/policy"
)

// TestProxyError: a policy refusal reads as Forbidden to kubectl, a cluster
// that cannot be reached does not (the CLI tools would call it an auth error).
func TestProxyError(t *testing.T) {
	for _, tt := range []struct {
		err        error
		code       int
		reason     string
		notMessage string
	}{
		{&url.Error{Op: "Get", URL: "https://x/api", Err: &policy.DeniedError{Reason: "read-only"}}, http.StatusForbidden, `"reason":"Forbidden"`, "https://x"},
		{&url.Error{Op: "Get", URL: "https://x/api", Err: errors.New("dial tcp: connection refused")}, http.StatusBadGateway, `"reason":"ServiceUnavailable"`, "https://x"},
	} {
		w := httptest.NewRecorder()
		proxyError(w, nil, tt.err)
		if body := w.Body.String(); w.Code != tt.code || !strings.Contains(body, tt.reason) || strings.Contains(body, tt.notMessage) {
			t.Errorf("%v: %d %s", tt.err, w.Code, body)
		}
	}
}
