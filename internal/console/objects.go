package console

import (
	"errors"
	"net/http"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/store"
)

// objectArgs are resources_get's arguments that the console uses.
type objectArgs struct {
	Cluster   string `json:"cluster"`
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// objectYAML is one object as the YAML view shows it.
type objectYAML struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	YAML       string `json:"yaml"`
}

// object serves GET /api/clusters/{cluster}/objects?kind=&namespace=&name=:
// one object as YAML, read by resources_get as the signed-in user, so it
// comes cleaned (no managedFields) and with Secret values redacted. The
// YAML is written from the structured result: the text answer is fenced and
// cut to a model's budget.
func (c *Console) object(w http.ResponseWriter, r *http.Request, u store.User) error {
	q := r.URL.Query()
	args := objectArgs{Cluster: r.PathValue("cluster"), Resource: q.Get("kind"), Namespace: q.Get("namespace"), Name: q.Get("name")}
	if err := c.knownCluster(args.Cluster); err != nil {
		return err
	}
	switch {
	case args.Resource == "":
		return invalid("kind", "required: the object's kind or resource, such as pod or deployment")
	case args.Name == "":
		return invalid("name", "required")
	}
	cs, err := c.bridge.open(r.Context(), identityOf(u))
	if err != nil {
		return err
	}
	defer cs.Close()
	var out struct {
		APIVersion string         `json:"apiVersion"`
		Kind       string         `json:"kind"`
		Namespace  string         `json:"namespace"`
		Name       string         `json:"name"`
		Object     map[string]any `json:"object"`
	}
	var refusal *toolError
	if err := call(r.Context(), cs, "resources_get", args, &out); errors.As(err, &refusal) {
		return refused(refusal.text)
	} else if err != nil {
		return err
	}
	doc, err := render.Object(&unstructured.Unstructured{Object: out.Object}, render.YAML)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, objectYAML{APIVersion: out.APIVersion, Kind: out.Kind, Namespace: out.Namespace, Name: out.Name, YAML: doc})
}
