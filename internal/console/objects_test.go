package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestObjectYAML: an object's YAML, cleaned and with Secret values
// redacted; bad input names the field.
func TestObjectYAML(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	var obj struct{ APIVersion, Kind, Namespace, Name, YAML string }
	decodeOK(t, http.StatusOK, &obj)(c.do(t, "GET", "/api/clusters/live/objects?kind=pod&namespace="+testenv.NamespacePayments+"&name="+testenv.PodCrashLoop, nil))
	if obj.Kind != "Pod" || obj.Name != testenv.PodCrashLoop || !strings.Contains(obj.YAML, "name: "+testenv.PodCrashLoop+"\n") ||
		!strings.Contains(obj.YAML, "restartCount: 7") || strings.Contains(obj.YAML, "managedFields") {
		t.Fatalf("pod: %+v", obj)
	}
	decodeOK(t, http.StatusOK, &obj)(c.do(t, "GET", "/api/clusters/live/objects?kind=deployment&namespace="+testenv.NamespaceShop+"&name="+testenv.DeploymentFrontend, nil))
	if obj.Kind != "Deployment" || obj.APIVersion != "apps/v1" || !strings.Contains(obj.YAML, "replicas: 3") {
		t.Fatalf("deployment: %+v", obj)
	}
	decodeOK(t, http.StatusOK, &obj)(c.do(t, "GET", "/api/clusters/live/objects?kind=secret&namespace="+testenv.NamespaceShop+"&name="+testenv.SecretName, nil))
	if !strings.Contains(obj.YAML, "password:") || strings.Contains(obj.YAML, testenv.PlantedSecret) || strings.Contains(c.bodies.String(), testenv.PlantedSecret) {
		t.Fatalf("secret: %s", obj.YAML)
	}
	for _, tc := range []struct {
		query        string
		status       int
		code, phrase string
	}{
		{"name=x", http.StatusBadRequest, "invalid", "kind: required"},
		{"kind=pod", http.StatusBadRequest, "invalid", "name: required"},
		{"kind=pod&namespace=shop&name=gone", http.StatusUnprocessableEntity, "refused", "not found"},
		{"kind=gadget&name=x", http.StatusUnprocessableEntity, "refused", "gadget"},
	} {
		status, body := c.do(t, "GET", "/api/clusters/live/objects?"+tc.query, nil)
		wantError(t, status, body, tc.status, tc.code, tc.phrase)
	}
}
