package console

import (
	"log/slog"
	"net/http"

	"github.com/kubemcp/kubemcp/internal/store"
)

// ServeLive serves /api/live as u with opts, for a test of a bound the
// command line does not set (a short StreamStall).
func ServeLive(opts Options, u store.User) http.Handler {
	c := &Console{opts: opts, log: slog.New(slog.DiscardHandler)}
	return c.handle(func(w http.ResponseWriter, r *http.Request) error { return c.live(w, r, u) })
}
