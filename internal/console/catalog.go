package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/kubemcp/kubemcp/internal/store"
)

// cardType is a kind of card the web app can put on a dashboard: what it
// shows, its size when added, and the config it takes, as a JSON schema
// inferred from a Go type once, at start.
type cardType struct {
	Type         string             `json:"type"`
	Title        string             `json:"title"`
	Description  string             `json:"description"`
	DefaultSize  cardSize           `json:"defaultSize"`
	Stream       string             `json:"stream,omitempty"` // the /api/stream kind that feeds it
	ConfigSchema *jsonschema.Schema `json:"configSchema"`

	schema func() (*jsonschema.Schema, error)
	config *jsonschema.Resolved
}

type cardSize struct {
	W int `json:"w"`
	H int `json:"h"`
}

// The configs of the cards.
type (
	noConfig    struct{}
	scopeConfig struct {
		Cluster   string `json:"cluster,omitempty" jsonschema:"the clusters shown: a name, names or patterns; every cluster when empty"`
		Namespace string `json:"namespace,omitempty" jsonschema:"one namespace; every namespace when empty"`
	}
	clustersConfig struct {
		Cluster string `json:"cluster,omitempty" jsonschema:"the clusters shown: a name, names or patterns; every cluster when empty"`
	}
	detailConfig struct {
		Cluster string `json:"cluster" jsonschema:"the cluster shown"`
	}
)

// catalog lists the card types, in the order the web app offers them.
type catalog []cardType

func newCatalog() (catalog, error) {
	cat := catalog{
		card[noConfig]("clusters", "Clusters", "Every cluster: reachable or not, version, nodes, latency.", 12, 3, ""),
		card[scopeConfig]("issues", "Issues", "What is wrong: failing pods, stuck rollouts, sick nodes, with evidence.", 12, 4, "issues"),
		card[scopeConfig]("pods", "Pods", "Pods with their status and restarts.", 6, 4, "pods"),
		card[scopeConfig]("deployments", "Deployments", "Deployments and how many of their replicas are ready.", 6, 4, "deployments"),
		card[scopeConfig]("services", "Services", "Services, their types and addresses.", 6, 4, "services"),
		card[scopeConfig]("events", "Events", "Events, newest first.", 6, 4, "events"),
		card[scopeConfig]("security", "Security", "Unsafe pod settings (privileged, host access, root, no limits) and their fixes.", 12, 4, "security"),
		card[clustersConfig]("nodes", "Nodes", "Nodes, ready or not, with their roles and versions.", 6, 3, "nodes"),
		card[scopeConfig]("namespace_overview", "Namespace overview", "A namespace's objects by kind and status, its issues and warnings; the cluster's default namespace when none is set.", 6, 4, ""),
		card[scopeConfig]("top_pods", "Top pods", "The pods using the most CPU and memory now (metrics.k8s.io).", 6, 4, ""),
		card[clustersConfig]("node_usage", "Node capacity and use", "Each node's CPU and memory in use against what it can give pods (metrics.k8s.io).", 6, 3, ""),
		card[scopeConfig]("resource_cost", "Resource use and cost", "Workloads' requests against use, over- and under-provisioned, and their monthly cost.", 6, 4, ""),
		card[scopeConfig]("access", "Your access", "What you may do, as the apiserver answers for you: read, debug and change workloads, Secrets, nodes.", 6, 4, ""),
		card[scopeConfig]("changes", "Recent changes", "What changed lately: rollouts, scaling, pods created and deleted, images pulled, from the events.", 6, 4, "events"),
		card[scopeConfig]("recommendations", "Recommended cards", "Cards worth adding, from what the rules find in the clusters (ranked and explained by the model in high AI mode, and in medium when asked), to add or snooze.", 6, 4, ""),
		card[detailConfig]("cluster_detail", "Cluster detail", "One cluster: its nodes, workloads and events.", 12, 6, ""),
	}
	for i := range cat {
		if err := cat[i].infer(); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

// card is a catalog entry whose config is a C; infer fills its schema.
func card[C any](typ, title, description string, w, h int, stream string) cardType {
	return cardType{Type: typ, Title: title, Description: description, DefaultSize: cardSize{w, h}, Stream: stream,
		schema: func() (*jsonschema.Schema, error) { return jsonschema.For[C](nil) }}
}

func (t *cardType) infer() error {
	var err error
	if t.ConfigSchema, err = t.schema(); err == nil {
		t.config, err = t.ConfigSchema.Resolve(nil)
	}
	if err != nil {
		return fmt.Errorf("card %s: its config schema: %w", t.Type, err)
	}
	return nil
}

func (cat catalog) get(typ string) (cardType, bool) {
	i := slices.IndexFunc(cat, func(t cardType) bool { return t.Type == typ })
	if i < 0 {
		return cardType{}, false
	}
	return cat[i], true
}

// check refuses a card type the catalog lacks, or a config its schema does
// not allow, naming the field.
func (cat catalog) check(typ string, config json.RawMessage) error {
	t, ok := cat.get(typ)
	if !ok {
		return invalid("type", "no card type %q (GET /api/cards/catalog lists them)", typ)
	}
	var v map[string]any
	if config == nil {
		config = json.RawMessage("{}")
	}
	if err := json.Unmarshal(config, &v); err != nil || v == nil {
		return invalid("config", "must be a JSON object")
	}
	if err := t.config.Validate(v); err != nil {
		return invalid("config", "not a config of a %s card: %v", typ, err)
	}
	return nil
}

func (c *Console) cardCatalog(w http.ResponseWriter, _ *http.Request, _ store.User) error {
	return writeJSON(w, http.StatusOK, map[string]any{"cards": c.catalog})
}
