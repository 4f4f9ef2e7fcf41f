package console_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/store"
)

func TestDashboardsAndCards(t *testing.T) {
	c := startConsole(t)
	status, body := c.do(t, "GET", "/api/dashboards", nil)
	wantError(t, status, body, http.StatusUnauthorized, "unauthenticated", "sign in")
	c.login(t)

	var d store.Dashboard
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/dashboards", map[string]any{"name": "home"}))
	path := fmt.Sprintf("/api/dashboards/%d", d.ID)
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", path+"/cards",
		map[string]any{"version": d.Version, "type": "pods", "x": 0, "y": 0, "w": 4, "h": 3, "config": map[string]string{"namespace": "shop"}}))
	if len(d.Cards) != 1 || d.Version != 2 {
		t.Fatalf("after adding a card: %+v", d)
	}
	stale := d.Version
	card := fmt.Sprintf("%s/cards/%d", path, d.Cards[0].ID)
	decodeOK(t, http.StatusOK, &d)(c.do(t, "PUT", card, map[string]any{"version": d.Version, "x": 2, "w": 6}))
	if got := d.Cards[0]; got.X != 2 || got.W != 6 || got.H != 3 || string(got.Config) != `{"namespace":"shop"}` {
		t.Fatalf("after moving and resizing: %+v", got)
	}

	// Another tab, still at the old version, edits: 409, and nothing changes.
	status, body = c.do(t, "PUT", card, map[string]any{"version": stale, "y": 5})
	wantError(t, status, body, http.StatusConflict, "conflict", "read it again")
	status, body = c.do(t, "PUT", path, map[string]any{"version": stale, "name": "renamed"})
	wantError(t, status, body, http.StatusConflict, "conflict", "changed")

	decodeOK(t, http.StatusOK, &d)(c.do(t, "PUT", path, map[string]any{"version": d.Version, "name": "renamed"}))
	var list struct{ Dashboards []store.Dashboard }
	decodeOK(t, http.StatusOK, &list)(c.do(t, "GET", "/api/dashboards", nil))
	if len(list.Dashboards) != 1 || list.Dashboards[0].Name != "renamed" || list.Dashboards[0].Cards[0].Y != 0 {
		t.Fatalf("dashboards: %+v", list)
	}
	decodeOK(t, http.StatusOK, &d)(c.do(t, "DELETE", fmt.Sprintf("%s?version=%d", card, d.Version), nil))
	if len(d.Cards) != 0 {
		t.Fatalf("after removing the card: %+v", d)
	}
	status, body = c.do(t, "DELETE", fmt.Sprintf("%s?version=%d", path, d.Version), nil)
	if status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", status, body)
	}
	status, body = c.do(t, "GET", path, nil)
	wantError(t, status, body, http.StatusNotFound, "not_found", "dashboard")
}

// TestBadInputNamesTheField: every refusal of a body says which field to fix.
func TestBadInputNamesTheField(t *testing.T) {
	c := startConsole(t)
	c.login(t)
	var d store.Dashboard
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/dashboards", map[string]any{"name": "home"}))
	cards := fmt.Sprintf("/api/dashboards/%d/cards", d.ID)
	for _, tc := range []struct {
		path string
		body any
		want string
	}{
		{"/api/dashboards", map[string]any{"nmae": "x"}, `unknown field "nmae"`},
		{"/api/dashboards", map[string]any{"name": " "}, "name: required"},
		{"/api/dashboards", map[string]any{"name": 7}, "name: expected a string"},
		{"/api/dashboards", nil, "body: a JSON object is required"},
		{cards, map[string]any{"version": d.Version, "type": "pods", "x": 0, "y": 0, "w": 0, "h": 1}, "w: must be from 1"},
		{cards, map[string]any{"version": d.Version, "type": "pods", "x": 0, "w": 1, "h": 1}, "y: required"},
		{cards, map[string]any{"version": d.Version, "x": 0, "y": 0, "w": 1, "h": 1}, "type: required"},
		{cards, map[string]any{"type": "pods", "x": 0, "y": 0, "w": 1, "h": 1}, "version: required"},
		{cards, map[string]any{"version": d.Version, "type": "pods", "x": 0, "y": 0, "w": 1, "h": 1, "config": []int{1}}, "config: must be a JSON object"},
		{"/api/dashboards/abc/cards", map[string]any{}, `id: "abc" is not an id`},
	} {
		status, body := c.do(t, "POST", tc.path, tc.body)
		wantError(t, status, body, http.StatusBadRequest, "invalid", tc.want)
	}
	huge := map[string]any{"name": strings.Repeat("x", 100<<10)}
	status, body := c.do(t, "POST", "/api/dashboards", huge)
	wantError(t, status, body, http.StatusRequestEntityTooLarge, "too_large", "bytes")
}

// decodeOK returns a check of a (status, body) answer: the status wanted and
// a body that decodes into v.
func decodeOK(t *testing.T, want int, v any) func(int, []byte) {
	return func(status int, body []byte) {
		t.Helper()
		if status != want {
			t.Fatalf("status %d, want %d: %s", status, want, body)
		}
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
	}
}
