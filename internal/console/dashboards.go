package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/kubemcp/kubemcp/internal/store"
)

// Limits on what a dashboard holds.
const (
	maxName      = 200
	maxCardType  = 100
	maxGrid      = 1000 // largest x, y, w or h
	maxCardBytes = 16 << 10
)

type dashboardIn struct {
	Name    string `json:"name"`
	Version int64  `json:"version"`
}

// cardIn is a card to add, or, with nil fields left as they are, a change to
// one: move (x, y), resize (w, h), configure (config).
type cardIn struct {
	Version int64           `json:"version"`
	Type    string          `json:"type"`
	X       *int            `json:"x"`
	Y       *int            `json:"y"`
	W       *int            `json:"w"`
	H       *int            `json:"h"`
	Config  json.RawMessage `json:"config"`
}

func (c *Console) listDashboards(w http.ResponseWriter, r *http.Request, u store.User) error {
	ds, err := c.opts.Store.Dashboards(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"dashboards": ds})
}

func (c *Console) createDashboard(w http.ResponseWriter, r *http.Request, u store.User) error {
	var in dashboardIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := validName(in.Name); err != nil {
		return err
	}
	d, err := c.opts.Store.CreateDashboard(r.Context(), u.ID, in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (c *Console) getDashboard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := c.opts.Store.Dashboard(r.Context(), u.ID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (c *Console) renameDashboard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in dashboardIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := firstError(validName(in.Name), validVersion(in.Version)); err != nil {
		return err
	}
	d, err := c.opts.Store.RenameDashboard(r.Context(), u.ID, id, in.Version, in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// deleteDashboard takes the version it deletes as ?version=, as a DELETE
// has no body.
func (c *Console) deleteDashboard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := queryVersion(r)
	if err != nil {
		return err
	}
	if err := c.opts.Store.DeleteDashboard(r.Context(), u.ID, id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *Console) addCard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in cardIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := firstError(validNewCard(in), c.catalog.check(in.Type, in.Config)); err != nil {
		return err
	}
	d, err := c.opts.Store.AddCard(r.Context(), u.ID, id, in.Version,
		store.Card{Type: in.Type, X: *in.X, Y: *in.Y, W: *in.W, H: *in.H, Config: in.Config})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

func (c *Console) changeCard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, card, err := cardPath(r)
	if err != nil {
		return err
	}
	var in cardIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Type != "" {
		return invalid("type", "a card's type changes by a swap (POST .../cards/{card}/swap), which keeps its place")
	}
	if err := firstError(validVersion(in.Version), validPlace(in, false), validConfig(in.Config)); err != nil {
		return err
	}
	d, err := c.opts.Store.ChangeCard(r.Context(), u.ID, id, in.Version, card,
		store.CardChange{X: in.X, Y: in.Y, W: in.W, H: in.H, Config: in.Config})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// swapIn makes a card another type, with a config for it.
type swapIn struct {
	Version int64           `json:"version"`
	Type    string          `json:"type"`
	Config  json.RawMessage `json:"config"`
}

// swapCard replaces a card's type and config, keeping its place and size.
func (c *Console) swapCard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, card, err := cardPath(r)
	if err != nil {
		return err
	}
	var in swapIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := firstError(validVersion(in.Version), c.catalog.check(in.Type, in.Config), validConfig(in.Config)); err != nil {
		return err
	}
	d, err := c.opts.Store.SwapCard(r.Context(), u.ID, id, in.Version, card, in.Type, in.Config)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (c *Console) removeCard(w http.ResponseWriter, r *http.Request, u store.User) error {
	id, card, err := cardPath(r)
	if err != nil {
		return err
	}
	version, err := queryVersion(r)
	if err != nil {
		return err
	}
	d, err := c.opts.Store.RemoveCard(r.Context(), u.ID, id, version, card)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(name, "%q is not an id", r.PathValue(name))
	}
	return id, nil
}

func queryVersion(r *http.Request) (int64, error) {
	v, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if err != nil {
		return 0, invalid("version", "required in the query (?version=N): the version of the dashboard this change was made from")
	}
	return v, validVersion(v)
}

func validName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return invalid("name", "required")
	case len(name) > maxName:
		return invalid("name", "at most %d bytes", maxName)
	}
	return nil
}

func validVersion(v int64) error {
	if v < 1 {
		return invalid("version", "required: the version of the dashboard this change was made from")
	}
	return nil
}

func validNewCard(in cardIn) error {
	switch {
	case in.Type == "":
		return invalid("type", "required")
	case len(in.Type) > maxCardType:
		return invalid("type", "at most %d bytes", maxCardType)
	}
	return firstError(validVersion(in.Version), validPlace(in, true), validConfig(in.Config))
}

// validPlace checks x, y, w and h; all are required of a new card.
func validPlace(in cardIn, required bool) error {
	for _, f := range []struct {
		name string
		v    *int
		min  int
	}{{"x", in.X, 0}, {"y", in.Y, 0}, {"w", in.W, 1}, {"h", in.H, 1}} {
		switch {
		case f.v == nil && required:
			return invalid(f.name, "required")
		case f.v != nil && (*f.v < f.min || *f.v > maxGrid):
			return invalid(f.name, "must be from %d to %d", f.min, maxGrid)
		}
	}
	return nil
}

func validConfig(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return invalid("config", "must be a JSON object")
	}
	if len(raw) > maxCardBytes {
		return invalid("config", "at most %d bytes", maxCardBytes)
	}
	return nil
}

// firstError is the first of errs that is not nil: the field to fix first.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// cardPath is the dashboard and card ids of a .../dashboards/{id}/cards/{card} path.
func cardPath(r *http.Request) (dashboard, card int64, err error) {
	if dashboard, err = pathID(r, "id"); err != nil {
		return 0, 0, err
	}
	card, err = pathID(r, "card")
	return dashboard, card, err
}
