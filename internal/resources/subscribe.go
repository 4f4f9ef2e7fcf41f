package resources

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// session is one MCP session's subscriptions: URI -> what stops its watch,
// nil while the watch is being set up; and whose they are ("" without an
// identity), since a session belongs to one user.
type session struct {
	user string
	subs map[string]func()
}

// watched is a URI that one session or more subscribed to.
type watched struct {
	subs int
	// last is the change last notified: the watches of one object as several
	// callers each see it, and go-sdk tells every subscriber of the URI.
	last string
	// sending: a notification is on its way; again: another change came
	// since, to be told once it has gone.
	sending, again bool
}

// errTooMany means a session or a user holds as many subscriptions as it may.
var errTooMany = errors.New("too many subscriptions")

// subscribe checks that the caller can read the object, then watches it as
// the caller until unsubscribe or the end of the session.
func (r *Resources) subscribe(ctx context.Context, req *mcp.SubscribeRequest) error {
	uri := req.Params.URI
	o, err := r.locate(ctx, uri)
	if err != nil {
		return err
	}
	if _, err := o.get(ctx); err != nil {
		return err
	}
	fresh, err := r.reserve(req.Session, user(ctx), uri)
	if err != nil || !fresh {
		return err
	}
	target := tracker.Target{Resource: o.res.GVR, Namespace: o.namespace, Name: o.name}
	// The watch outlives this request (the caller stays in the context); it
	// ends with the subscription.
	stop, err := r.opts.Pool.Watch(context.WithoutCancel(ctx), o.cluster, target, r.watcher(req.Session, uri))
	if err != nil {
		r.unsubscribe(req.Session, uri)
		return o.explain(err, "watch")
	}
	r.commit(req.Session, uri, stop)
	return nil
}

// user names the caller in ctx whose subscriptions are counted together, or
// "" for the one local user (no identity), who has no bound of their own.
func user(ctx context.Context) string {
	if id := identity.FromContext(ctx); id != nil {
		return id.User
	}
	return ""
}

// reserve takes a place for uri among ss's subscriptions, those of user;
// fresh is false when ss already has it.
func (r *Resources) reserve(ss *mcp.ServerSession, user, uri string) (fresh bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false, refusal(uri, errors.New("kubemcp is shutting down; subscribe again once it is back"))
	}
	s := r.sessions[ss]
	if s == nil {
		s = &session{user: user, subs: map[string]func(){}}
		r.sessions[ss] = s
		go r.endWith(ss)
	}
	if _, ok := s.subs[uri]; ok {
		return false, nil
	}
	if len(s.subs) >= r.opts.MaxPerSession {
		return false, refusal(uri, fmt.Errorf("%w: this session holds %d subscriptions, its limit; unsubscribe from one first", errTooMany, len(s.subs)))
	}
	if n, max := r.users[s.user], r.opts.MaxPerUser; s.user != "" && max > 0 && n >= max {
		return false, refusal(uri, fmt.Errorf("%w: %s holds %d subscriptions across their sessions, the most for one user; unsubscribe or close sessions first, or ask the administrator to raise --user-subscriptions", errTooMany, s.user, n))
	}
	s.subs[uri] = nil
	r.users[s.user]++
	w := r.uris[uri]
	if w == nil {
		w = &watched{}
		r.uris[uri] = w
	}
	w.subs++
	return true, nil
}

// commit records stop as the end of ss's subscription to uri, or calls it
// if the subscription ended while its watch was being set up.
func (r *Resources) commit(ss *mcp.ServerSession, uri string, stop func()) {
	r.mu.Lock()
	if s := r.sessions[ss]; s != nil {
		if cur, ok := s.subs[uri]; ok && cur == nil {
			s.subs[uri] = stop
			r.mu.Unlock()
			return
		}
	}
	r.mu.Unlock()
	stop()
}

// unsubscribe ends ss's subscription to uri, if it has one.
func (r *Resources) unsubscribe(ss *mcp.ServerSession, uri string) {
	r.mu.Lock()
	s := r.sessions[ss]
	if s == nil {
		r.mu.Unlock()
		return
	}
	stop, ok := s.subs[uri]
	if ok {
		delete(s.subs, uri)
		r.forgetLocked(s.user, uri)
	}
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// endWith ends ss's subscriptions when the session closes.
func (r *Resources) endWith(ss *mcp.ServerSession) {
	_ = ss.Wait()
	r.mu.Lock()
	var stops []func()
	if s := r.sessions[ss]; s != nil {
		stops = r.dropLocked(ss, s)
	}
	r.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
}

// dropLocked forgets session ss and returns what stops its watches.
func (r *Resources) dropLocked(ss *mcp.ServerSession, s *session) []func() {
	delete(r.sessions, ss)
	var stops []func()
	for uri, stop := range s.subs {
		r.forgetLocked(s.user, uri)
		if stop != nil {
			stops = append(stops, stop)
		}
	}
	return stops
}

// forgetLocked counts off a subscription of user to uri.
func (r *Resources) forgetLocked(user, uri string) {
	if r.users[user]--; r.users[user] <= 0 {
		delete(r.users, user)
	}
	if w := r.uris[uri]; w != nil {
		if w.subs--; w.subs <= 0 {
			delete(r.uris, uri)
		}
	}
}

// watcher is what ss's watch of uri tells of each change, and of the watch
// itself: opened again after a kubeconfig reload, the object may have
// changed while it was down, so the subscribers are told to re-read; ended
// (the cluster removed, access refused), the subscription is released and
// the subscribers told once more, so that a re-read shows why.
func (r *Resources) watcher(ss *mcp.ServerSession, uri string) func(tracker.Event) {
	return func(e tracker.Event) {
		switch e.Type {
		case tracker.Reopened:
			r.changed(uri, "")
		case tracker.Ended:
			r.ended(ss, uri, e.Err)
		default:
			r.changed(uri, e.Type+"/"+e.Object().GetResourceVersion())
		}
	}
}

// ended releases ss's subscription to uri, whose watch ended for why, and
// tells the subscribers of uri.
func (r *Resources) ended(ss *mcp.ServerSession, uri string, why error) {
	r.logger.Warn("subscription ended", "uri", uri, "error", why)
	r.unsubscribe(ss, uri)
	r.mu.Lock()
	server := r.server
	r.mu.Unlock()
	if server == nil {
		return
	}
	if err := server.ResourceUpdated(context.Background(), &mcp.ResourceUpdatedNotificationParams{URI: uri}); err != nil {
		r.logger.Warn("resource updated notification failed", "uri", uri, "error", err)
	}
}

// changed tells the subscribers of uri that its object changed (was added,
// updated or deleted), once per change: mark says which, "" a change that
// is told whatever came before. The watch's goroutine never waits
// for them: one notification of uri is sent at a time, and the changes that
// come meanwhile are told by one more, since resources/updated carries only
// the URI. So a watch holds at most one change of uri for its subscribers,
// however slowly they read.
func (r *Resources) changed(uri, mark string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.uris[uri]
	if w == nil || mark != "" && w.last == mark || r.server == nil {
		return
	}
	w.last = mark
	if w.sending {
		w.again = true
		return
	}
	w.sending = true
	go r.notify(r.server, uri, w)
}

// notify tells the subscribers of uri, and again while it changed meanwhile
// and w is still its watch: one ended meanwhile (its last subscriber left)
// is forgotten, and a new one of the same uri is left to its own notifier.
func (r *Resources) notify(server *mcp.Server, uri string, w *watched) {
	for again := true; again; {
		if err := server.ResourceUpdated(context.Background(), &mcp.ResourceUpdatedNotificationParams{URI: uri}); err != nil {
			r.logger.Warn("resource updated notification failed", "uri", uri, "error", err)
		}
		r.mu.Lock()
		again = r.uris[uri] == w && w.again
		w.sending, w.again = again, false
		r.mu.Unlock()
	}
}
