package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubemcp/kubemcp/internal/store"
)

// proactiveEvery is how often the dashboard summary of high AI mode may be
// attempted for a user: the next request after it has a new one made, at
// most one attempt a user per interval, made or failed, whatever the
// number of browsers or reloads.
const proactiveEvery = 15 * time.Minute

// proactiveTimeout bounds the making of one proactive summary: reading the
// clusters and the model's answer. It runs beyond the request that started
// it, which nothing else would end.
const proactiveTimeout = 60 * time.Second

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

// freshSummary is u's dashboard summary, made now if none was attempted
// within the interval; concurrent requests of one user share one making,
// and each stops waiting for it when its own request ends.
func (c *Console) freshSummary(ctx context.Context, u store.User) (summaryOut, error) {
	if kept, recent, err := c.keptSummary(ctx, u); err != nil || recent {
		return kept, err
	}
	done := c.proactive.DoChan(strconv.FormatInt(u.ID, 10), func() (any, error) {
		// Shared by whoever asks meanwhile: the first request's end must not end it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), proactiveTimeout)
		defer cancel()
		return c.makeProactive(ctx, u)
	})
	select {
	case res := <-done:
		if res.Err != nil {
			return summaryOut{}, res.Err
		}
		return res.Val.(summaryOut), nil
	case <-ctx.Done():
		return summaryOut{}, ctx.Err()
	}
}

// makeProactive makes and keeps u's dashboard summary, unless one was
// attempted while this request waited; when none can be made, the kept one
// comes back with a note saying why, and the attempt is recorded so the
// next waits the interval.
func (c *Console) makeProactive(ctx context.Context, u store.User) (summaryOut, error) {
	kept, recent, err := c.keptSummary(ctx, u)
	if err != nil || recent {
		return kept, err
	}
	srcs, err := c.summarySources("")
	if err != nil {
		return summaryOut{}, err
	}
	out, err := c.makeSummary(ctx, u, summaryIn{}, srcs)
	var ae *apiError
	if errors.As(err, &ae) { // over the limit, the model failed: say so, keep the old
		return c.keepAttempt(ctx, u, kept, ae.msg)
	}
	if err != nil {
		return summaryOut{}, err
	}
	sum, err := c.opts.Store.SaveSummary(ctx, u.ID, store.Summary{Scope: dashboardScope, Identity: identityDigest(u), Text: out.Summary, Tokens: out.Tokens, Read: out.Read})
	out.Proactive, out.At = true, sum.At
	return out, err
}

// keepAttempt records an attempt that made no summary, so that the next is
// not before the interval, and answers the kept one with why.
func (c *Console) keepAttempt(ctx context.Context, u store.User, kept summaryOut, why string) (summaryOut, error) {
	sum := store.Summary{Scope: dashboardScope, Identity: identityDigest(u), Text: kept.Summary, Tokens: kept.Tokens, Read: kept.Read, At: kept.At, Note: why}
	saved, err := c.opts.Store.SaveSummary(ctx, u.ID, sum)
	kept.Note = noNewSummary(why, saved.Tried)
	return kept, err
}

func noNewSummary(why string, tried time.Time) string {
	return fmt.Sprintf("no new summary: %s (the next attempt is not before %s UTC)", why, tried.Add(proactiveEvery).Format("15:04"))
}

// keptSummary is u's dashboard summary as the store keeps it, empty when
// there is none or it was made as another Kubernetes identity than u's
// now; recent says whether it was attempted within the interval.
func (c *Console) keptSummary(ctx context.Context, u store.User) (out summaryOut, recent bool, err error) {
	out = summaryOut{Proactive: true, Read: []string{}, Unchecked: []string{}}
	sum, err := c.opts.Store.LatestSummary(ctx, u.ID, dashboardScope)
	if errors.Is(err, store.ErrNotFound) || err == nil && sum.Identity != identityDigest(u) {
		return out, false, nil
	}
	if err != nil {
		return out, false, err
	}
	out.Summary, out.Tokens, out.At, out.Read = sum.Text, sum.Tokens, sum.At, sum.Read
	if sum.Note != "" {
		out.Note = noNewSummary(sum.Note, sum.Tried)
	}
	return out, time.Since(sum.Tried) < proactiveEvery, nil
}

// identityDigest names who u reaches the clusters as: a summary made as
// one user and groups may say what another may not read.
func identityDigest(u store.User) string {
	groups := slices.Sorted(slices.Values(u.KubeGroups))
	sum := sha256.Sum256([]byte(u.KubeUser + "\n" + strings.Join(groups, "\n")))
	return hex.EncodeToString(sum[:16])
}
