package console

import (
	"net/http"
	"slices"

	"github.com/kubemcp/kubemcp/internal/store"
)

// Bounds of the settings.
var (
	aiModes = []string{"low", "medium", "high"}
	themes  = []string{"system", "light", "dark"}
)

const maxTokenLimit = 100_000_000

// settingsIn changes the settings it names; nil ones stay.
type settingsIn struct {
	AIMode     *string `json:"aiMode"`
	TokenLimit *int    `json:"tokenLimit"`
	Theme      *string `json:"theme"`
}

func (in settingsIn) validate() error {
	switch {
	case in.AIMode != nil && !slices.Contains(aiModes, *in.AIMode):
		return invalid("aiMode", "%q: want low (AI only when asked), medium (summaries on demand) or high (proactive)", *in.AIMode)
	case in.TokenLimit != nil && (*in.TokenLimit < 0 || *in.TokenLimit > maxTokenLimit):
		return invalid("tokenLimit", "must be from 0 (no AI) to %d", maxTokenLimit)
	case in.Theme != nil && !slices.Contains(themes, *in.Theme):
		return invalid("theme", "%q: want system, light or dark", *in.Theme)
	}
	return nil
}

func (c *Console) getSettings(w http.ResponseWriter, r *http.Request, u store.User) error {
	st, err := c.opts.Store.Settings(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (c *Console) putSettings(w http.ResponseWriter, r *http.Request, u store.User) error {
	var in settingsIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	st, err := c.opts.Store.UpdateSettings(r.Context(), u.ID, func(st *store.Settings) {
		if in.AIMode != nil {
			st.AIMode = *in.AIMode
		}
		if in.TokenLimit != nil {
			st.TokenLimit = *in.TokenLimit
		}
		if in.Theme != nil {
			st.Theme = *in.Theme
		}
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}
