package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kubemcp/kubemcp/internal/store"
)

// proactiveEvery is how old the dashboard summary of high AI mode may be
// before the next request for it has a new one made: at most one a user
// per interval, whatever the number of browsers or reloads.
const proactiveEvery = 15 * time.Minute

// dashboardScope names the proactive summary in the store.
const dashboardScope = "dashboard"

// proactiveSummary serves GET /api/ai/summary: in high AI mode, the
// summary of the clusters' state the console makes without being asked,
// as the dashboard shows it; kept in the store, made again once older than
// proactiveEvery, its tokens counted as any. In low or medium mode, or
// when none can be made, note says why (and an old one is still given).
func (c *Console) proactiveSummary(w http.ResponseWriter, r *http.Request, u store.User) error {
	us, err := c.usageOf(r.Context(), u)
	if err != nil {
		return err
	}
	out := summaryOut{Proactive: true, Read: []string{}, Unchecked: []string{}}
	switch {
	case us.Mode != "high":
		out.Note = fmt.Sprintf("the console makes a summary without being asked only in high AI mode (yours is %s); in medium, ask for one with Summarize", us.Mode)
	case c.opts.AI == nil:
		out.Note = "no AI provider is configured; start the console with --ai-base-url and --ai-model (see the README)"
	default:
		if out, err = c.freshSummary(r.Context(), u); err != nil {
			return err
		}
	}
	if out.Usage, err = c.usageOf(r.Context(), u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// freshSummary is u's dashboard summary, made now if the kept one is
// missing or old; concurrent requests of one user share one making.
func (c *Console) freshSummary(ctx context.Context, u store.User) (summaryOut, error) {
	if kept, err := c.keptSummary(ctx, u); err != nil || kept.Summary != "" && time.Since(kept.At) < proactiveEvery {
		return kept, err
	}
	v, err, _ := c.proactive.Do(strconv.FormatInt(u.ID, 10), func() (any, error) {
		// Shared by whoever asks meanwhile: the first request's end must not end it.
		return c.makeProactive(context.WithoutCancel(ctx), u)
	})
	if err != nil {
		return summaryOut{}, err
	}
	return v.(summaryOut), nil
}

// makeProactive makes and keeps u's dashboard summary, unless one made
// while this request waited is fresh; when none can be made, the kept one
// comes back with a note saying why.
func (c *Console) makeProactive(ctx context.Context, u store.User) (summaryOut, error) {
	kept, err := c.keptSummary(ctx, u)
	if err != nil || kept.Summary != "" && time.Since(kept.At) < proactiveEvery {
		return kept, err
	}
	srcs, err := c.summarySources("")
	if err != nil {
		return summaryOut{}, err
	}
	out, err := c.makeSummary(ctx, u, summaryIn{}, srcs)
	var ae *apiError
	if errors.As(err, &ae) { // over the limit, the model failed: say so, keep the old
		kept.Note = "no new summary: " + ae.msg
		return kept, nil
	}
	if err != nil {
		return summaryOut{}, err
	}
	sum, err := c.opts.Store.SaveSummary(ctx, u.ID, store.Summary{Scope: dashboardScope, Text: out.Summary, Tokens: out.Tokens})
	out.Proactive, out.At = true, sum.At
	return out, err
}

// keptSummary is u's dashboard summary as the store keeps it; empty when
// there is none.
func (c *Console) keptSummary(ctx context.Context, u store.User) (summaryOut, error) {
	out := summaryOut{Proactive: true, Read: []string{}, Unchecked: []string{}}
	sum, err := c.opts.Store.LatestSummary(ctx, u.ID, dashboardScope)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	out.Summary, out.Tokens, out.At = sum.Text, sum.Tokens, sum.At
	return out, err
}
