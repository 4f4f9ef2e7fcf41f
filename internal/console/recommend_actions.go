package console

import (
	"net/http"
	"time"

	"github.com/kubemcp/kubemcp/internal/store"
)

// maxSnooze is the longest a recommendation may be hidden; after it, what
// the rules see may well be different.
const maxSnooze = 30 * 24 * time.Hour

// acceptRecommendation serves POST /api/recommendations/{id}/accept with
// {"dashboardId", "version"} (both optional: the user's first dashboard,
// as it is now): the card is added below the dashboard's cards, at its
// default size.
func (c *Console) acceptRecommendation(w http.ResponseWriter, r *http.Request, u store.User) error {
	card, err := c.recCardOf(r.PathValue("id"))
	if err != nil {
		return err
	}
	var in struct {
		DashboardID int64 `json:"dashboardId"`
		Version     int64 `json:"version"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := c.acceptInto(r, u, in.DashboardID)
	if err != nil {
		return err
	}
	if in.Version == 0 {
		in.Version = d.Version
	}
	t, _ := c.catalog.get(card.Type)
	bottom := 0
	for _, cd := range d.Cards {
		bottom = max(bottom, cd.Y+cd.H)
	}
	d, err = c.opts.Store.AddCard(r.Context(), u.ID, d.ID, in.Version,
		store.Card{Type: card.Type, X: 0, Y: bottom, W: t.DefaultSize.W, H: t.DefaultSize.H, Config: card.Config})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, d)
}

// acceptInto is the dashboard id of u, or with 0 their first one, made if
// they have none yet.
func (c *Console) acceptInto(r *http.Request, u store.User, id int64) (store.Dashboard, error) {
	if id != 0 {
		return c.opts.Store.Dashboard(r.Context(), u.ID, id)
	}
	ds, err := c.opts.Store.Dashboards(r.Context(), u.ID)
	switch {
	case err != nil:
		return store.Dashboard{}, err
	case len(ds) > 0:
		return ds[0], nil
	}
	return c.opts.Store.CreateDashboard(r.Context(), u.ID, "My dashboard")
}

// snoozeRecommendation serves POST /api/recommendations/{id}/snooze with
// {"until": RFC 3339 time} (optional: a day from now): the recommendation
// is not offered again before then.
func (c *Console) snoozeRecommendation(w http.ResponseWriter, r *http.Request, u store.User) error {
	id := r.PathValue("id")
	if _, err := c.recCardOf(id); err != nil {
		return err
	}
	var in struct {
		Until *time.Time `json:"until"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	now := time.Now()
	until := now.Add(24 * time.Hour)
	if in.Until != nil {
		until = *in.Until
	}
	if !until.After(now) || until.Sub(now) > maxSnooze {
		return invalid("until", "a time in the next 30 days")
	}
	if err := c.opts.Store.Snooze(r.Context(), u.ID, id, until); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"id": id, "until": until.UTC().Truncate(time.Second)})
}
