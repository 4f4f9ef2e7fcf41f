package toolset

import (
	"github.com/kubemcp/kubemcp/internal/cache"
	"github.com/kubemcp/kubemcp/internal/clusters"
	"github.com/kubemcp/kubemcp/internal/render"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// Deps is what every toolset is built with.
type Deps struct {
	// Clusters hands a tool the client for a cluster ("" is the default one)
	// as the calling identity, and fans calls out over several.
	Clusters *clusters.Manager
	// Watches shares Kubernetes watches among the tools, live resources and
	// sessions, per cluster and caller.
	Watches *tracker.Pool
	// Cache, if set, answers the reads it can answer exactly from a shared
	// watch cache; a tool reads directly when it returns cache.ErrDirect.
	Cache *cache.Cache
	// DefaultBudget is the default cap on a text answer, in bytes; zero means
	// render.DefaultBudget.
	DefaultBudget int
	// AllowSecretReveal lets a call ask to see Secret values; off, such a call
	// is refused.
	AllowSecretReveal bool
}

// TextCap is embedded in the input of every tool that answers with text that
// can grow: it lets a call ask for more or less than the default.
type TextCap struct {
	MaxBytes int `json:"max_bytes,omitempty"` // explained once, in the server instructions
}

// Budget is the byte cap for this call.
func (d Deps) Budget(o TextCap) int {
	switch {
	case o.MaxBytes > 0:
		return min(o.MaxBytes, render.MaxBudget)
	case d.DefaultBudget > 0:
		return d.DefaultBudget
	}
	return render.DefaultBudget
}
