package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/kubemcp/kubemcp/internal/store"
	"github.com/kubemcp/kubemcp/internal/testenv"
)

func TestSettings(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	var st store.Settings
	decodeOK(t, http.StatusOK, &st)(c.do(t, "GET", "/api/settings", nil))
	if st != store.DefaultSettings() {
		t.Fatalf("before any change: %+v", st)
	}
	decodeOK(t, http.StatusOK, &st)(c.do(t, "PUT", "/api/settings", map[string]any{"aiMode": "high", "tokenLimit": 5000}))
	decodeOK(t, http.StatusOK, &st)(c.do(t, "PUT", "/api/settings", map[string]any{"theme": "dark"}))
	decodeOK(t, http.StatusOK, &st)(c.do(t, "GET", "/api/settings", nil))
	if want := (store.Settings{AIMode: "high", TokenLimit: 5000, Theme: "dark"}); st != want {
		t.Fatalf("after two changes: %+v, want %+v", st, want)
	}
	for _, tc := range []struct {
		body any
		want string
	}{
		{map[string]any{"aiMode": "max"}, "aiMode: \"max\": want low"},
		{map[string]any{"tokenLimit": -1}, "tokenLimit: must be from 0"},
		{map[string]any{"tokenLimit": "lots"}, "tokenLimit: expected a int"},
		{map[string]any{"theme": "neon"}, "theme: "},
		{map[string]any{"colour": "red"}, `unknown field "colour"`},
	} {
		status, body := c.do(t, "PUT", "/api/settings", tc.body)
		wantError(t, status, body, http.StatusBadRequest, "invalid", tc.want)
	}
	status, body := c.do(t, "PUT", "/api/settings", map[string]any{"theme": "light"}, "Origin", "http://evil.example")
	wantError(t, status, body, http.StatusForbidden, "origin", "console's own pages")
}

// TestOnboardingMakesTheFirstDashboard: the answers make a dashboard of the
// cards they ask for, laid out without overlap and scoped to the namespace
// answered; answering again changes the answers and makes no other.
func TestOnboardingMakesTheFirstDashboard(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	var q struct {
		Questions []struct {
			ID      string
			Choices []string
		}
		Answers map[string]string
	}
	decodeOK(t, http.StatusOK, &q)(c.do(t, "GET", "/api/onboarding", nil))
	if len(q.Questions) != 3 || q.Questions[0].ID != "role" || len(q.Answers) != 0 {
		t.Fatalf("onboarding: %+v", q)
	}
	answers := map[string]string{"role": "operator", "focus": "capacity", "namespace": testenv.NamespaceShop}
	var out struct{ Dashboard *store.Dashboard }
	decodeOK(t, http.StatusCreated, &out)(c.do(t, "POST", "/api/onboarding", map[string]any{"answers": answers}))
	var types []string
	for i, card := range out.Dashboard.Cards {
		types = append(types, card.Type)
		for _, other := range out.Dashboard.Cards[:i] {
			if card.X < other.X+other.W && other.X < card.X+card.W && card.Y < other.Y+other.H && other.Y < card.Y+card.H {
				t.Fatalf("cards overlap: %+v and %+v", card, other)
			}
		}
		if scoped := string(card.Config) == `{"namespace":"shop"}`; scoped != (card.Type == "issues" || card.Type == "events") {
			t.Fatalf("card %s has config %s", card.Type, card.Config)
		}
	}
	if !slices.Equal(types, []string{"clusters", "issues", "nodes", "events"}) {
		t.Fatalf("cards: %v", types)
	}
	decodeOK(t, http.StatusOK, &out)(c.do(t, "POST", "/api/onboarding", map[string]any{"answers": map[string]string{"role": "developer"}}))
	var list struct{ Dashboards []store.Dashboard }
	decodeOK(t, http.StatusOK, &list)(c.do(t, "GET", "/api/dashboards", nil))
	decodeOK(t, http.StatusOK, &q)(c.do(t, "GET", "/api/onboarding", nil))
	if out.Dashboard != nil || len(list.Dashboards) != 1 || q.Answers["role"] != "developer" || q.Answers["focus"] != "capacity" {
		t.Fatalf("answering again: %+v, %d dashboards, answers %v", out.Dashboard, len(list.Dashboards), q.Answers)
	}
	for _, tc := range []struct {
		answers map[string]string
		want    string
	}{
		{nil, "answers: required"},
		{map[string]string{"role": "wizard"}, `answers.role: "wizard": want one of`},
		{map[string]string{"pet": "cat"}, "answers.pet: no such question"},
		{map[string]string{"namespace": "Not_A_Name"}, "answers.namespace: "},
	} {
		status, body := c.do(t, "POST", "/api/onboarding", map[string]any{"answers": tc.answers})
		wantError(t, status, body, http.StatusBadRequest, "invalid", tc.want)
	}
}

func TestCardCatalogAndSwap(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	var cat struct {
		Cards []struct {
			Type, Title, Description, Stream string
			DefaultSize                      struct{ W, H int }
			ConfigSchema                     struct {
				Type       string
				Properties map[string]json.RawMessage
				Required   []string
			}
		}
	}
	decodeOK(t, http.StatusOK, &cat)(c.do(t, "GET", "/api/cards/catalog", nil))
	byType := map[string]int{}
	for i, card := range cat.Cards {
		byType[card.Type] = i
		if card.Title == "" || card.Description == "" || card.DefaultSize.W < 1 || card.DefaultSize.H < 1 || card.ConfigSchema.Type != "object" {
			t.Errorf("catalog entry %+v", card)
		}
	}
	pods, detail := cat.Cards[byType["pods"]], cat.Cards[byType["cluster_detail"]]
	if pods.Stream != "pods" || pods.ConfigSchema.Properties["namespace"] == nil || !slices.Equal(detail.ConfigSchema.Required, []string{"cluster"}) {
		t.Fatalf("pods %+v, cluster_detail %+v", pods, detail)
	}

	var d store.Dashboard
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/dashboards", map[string]any{"name": "home"}))
	path := fmt.Sprintf("/api/dashboards/%d", d.ID)
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", path+"/cards",
		map[string]any{"version": d.Version, "type": "pods", "x": 6, "y": 2, "w": 6, "h": 4, "config": map[string]string{"namespace": "shop"}}))
	swap := fmt.Sprintf("%s/cards/%d/swap", path, d.Cards[0].ID)
	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"version": d.Version, "type": "piechart"}, `type: no card type "piechart"`},
		{map[string]any{"version": d.Version, "type": "nodes", "config": map[string]string{"namespace": "x"}}, "config: not a config of a nodes card"},
		{map[string]any{"version": d.Version, "type": "cluster_detail"}, "config: not a config of a cluster_detail card"},
		{map[string]any{"type": "nodes"}, "version: required"},
	} {
		status, body := c.do(t, "POST", swap, tc.body)
		wantError(t, status, body, http.StatusBadRequest, "invalid", tc.want)
	}
	stale := d.Version
	decodeOK(t, http.StatusOK, &d)(c.do(t, "POST", swap, map[string]any{"version": d.Version, "type": "cluster_detail", "config": map[string]string{"cluster": "live"}}))
	if got := d.Cards[0]; len(d.Cards) != 1 || got.Type != "cluster_detail" || got.X != 6 || got.Y != 2 || got.W != 6 || got.H != 4 || string(got.Config) != `{"cluster":"live"}` {
		t.Fatalf("after the swap: %+v", d.Cards)
	}
	status, body := c.do(t, "POST", swap, map[string]any{"version": stale, "type": "nodes"})
	wantError(t, status, body, http.StatusConflict, "conflict", "read it again")
	status, body = c.do(t, "POST", path+"/cards", map[string]any{"version": d.Version, "type": "piechart", "x": 0, "y": 0, "w": 1, "h": 1})
	wantError(t, status, body, http.StatusBadRequest, "invalid", `type: no card type "piechart"`)
}

// TestClusterDetail reads a cluster's nodes, workloads and events from the
// tools' structured results; a cluster that is down says why for each part.
func TestClusterDetail(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	type row struct{ Name, Namespace string }
	var live struct {
		Name      string
		Nodes     []row
		Workloads map[string][]row
		Events    []row
		Errors    map[string]string
	}
	decodeOK(t, http.StatusOK, &live)(c.do(t, "GET", "/api/clusters/live", nil))
	if live.Name != "live" || len(live.Nodes) != 1 || len(live.Events) == 0 || len(live.Errors) != 0 ||
		!slices.Contains(live.Workloads["deployments"], row{testenv.DeploymentFrontend, testenv.NamespaceShop}) {
		t.Fatalf("live: %+v", live)
	}
	var down struct {
		Nodes  []row
		Errors map[string]string
	}
	decodeOK(t, http.StatusOK, &down)(c.do(t, "GET", "/api/clusters/down", nil))
	if len(down.Errors) != 5 || down.Nodes != nil {
		t.Fatalf("down: %+v", down)
	}
	for _, name := range []string{"nope", "*"} {
		status, body := c.do(t, "GET", "/api/clusters/"+name, nil)
		wantError(t, status, body, http.StatusNotFound, "not_found", "GET /api/clusters lists them")
	}
}
