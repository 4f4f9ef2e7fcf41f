package resources

import (
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/identity"
	"github.com/kubemcp/kubemcp/internal/tracker"
)

// TestOneUserCannotUseUpSubscriptions: alice opens sessions and subscribes
// as much as she may, in a server whose watcher pool she could fill alone;
// she is refused beyond her caps, each refusal naming it, and bob can still
// subscribe (issue 18, finding 4).
func TestOneUserCannotUseUpSubscriptions(t *testing.T) {
	ns := env.Namespace(t, "res-caps")
	grantConfigMaps(t, ns, "alice")
	grantConfigMaps(t, ns, "bob")
	names := []string{"a", "b", "c"}
	for _, name := range names {
		createConfigMap(t, ns, name)
	}
	for _, f := range []flavour{flavours[2], flavours[4]} { // streamable 2025-11-25 and legacy SSE: the eras with sessions
		t.Run(f.name, func(t *testing.T) {
			// Two sessions of three subscriptions would fill the pool's six
			// watchers; her share is five subscriptions in two sessions.
			r := newLimitedRig(t, f, Options{MaxPerSession: 3, MaxPerUser: 5}, limits{
				pool: tracker.PoolOptions{MaxWatchers: 6},
				user: identity.Limits{Sessions: 2},
			})
			alice := []*client{r.connect(t, "alice"), r.connect(t, "alice")}
			if err := r.refusedSession(t, "alice"); !strings.Contains(err, "alice has 2 MCP sessions open already") || !strings.Contains(err, "--user-sessions") {
				t.Errorf("alice's third session: %s", err)
			}
			var refused error
			for _, c := range alice {
				for _, name := range names {
					if err := c.subscribe(t, URI(cluster, ns, "configmaps", name)); err != nil {
						refused = err
					}
				}
			}
			if refused == nil || !strings.Contains(refused.Error(), "alice holds 5 subscriptions across their sessions") || !strings.Contains(refused.Error(), "--user-subscriptions") {
				t.Errorf("alice's sixth subscription: %v", refused)
			}
			if got := r.res.Subscriptions(); got != 5 {
				t.Errorf("alice holds %d subscriptions, want 5", got)
			}
			bob := r.connect(t, "bob")
			if err := bob.subscribe(t, URI(cluster, ns, "configmaps", "a")); err != nil {
				t.Fatalf("bob, with alice at her caps: %v", err)
			}
			label(t, ns, "a", "caps-"+f.http)
			bob.update(t, URI(cluster, ns, "configmaps", "a"))
		})
	}
}

// refusedSession connects as user and returns why the server refused, or
// fails the test if it did not.
func (r *rig) refusedSession(t *testing.T, user string) string {
	t.Helper()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "resources-test", Version: "v0"}, nil).Connect(t.Context(), r.transport(t, user), &mcp.ClientSessionOptions{ProtocolVersion: r.f.version})
	if err == nil {
		cs.Close()
		t.Fatalf("%s's session was opened", user)
	}
	return err.Error()
}

// TestSubscribesCountAgainstTheRate: resources/subscribe and
// subscriptions/listen draw on the user's rate like tool calls; beyond it
// they are refused, saying when to retry, and another user is not held back.
func TestSubscribesCountAgainstTheRate(t *testing.T) {
	ns := env.Namespace(t, "res-rate")
	grantConfigMaps(t, ns, "alice")
	grantConfigMaps(t, ns, "bob")
	createConfigMap(t, ns, "a")
	uri := URI(cluster, ns, "configmaps", "a")
	// A rate that does not refill within the test: the burst is all there is.
	l := limits{user: identity.Limits{Rate: 0.001, Burst: 2}}

	t.Run("subscribe", func(t *testing.T) {
		r := newLimitedRig(t, flavours[2], Options{}, l)
		alice := r.connect(t, "alice")
		for range 2 { // a subscription held already is still a request
			if err := alice.subscribe(t, uri); err != nil {
				t.Fatal(err)
			}
		}
		err := alice.subscribe(t, uri)
		if err == nil || !strings.Contains(err.Error(), "alice is over kubemcp's limit of 0.001 requests a second") || !strings.Contains(err.Error(), "retry in") {
			t.Fatalf("alice's third subscribe: %v", err)
		}
		if err := r.connect(t, "bob").subscribe(t, uri); err != nil {
			t.Fatalf("bob: %v", err)
		}
	})
	t.Run("listen", func(t *testing.T) {
		r := newLimitedRig(t, flavours[3], Options{}, l)
		for range 2 {
			if m := next(t, listen(t, r.url, "alice", uri)); m.Method != "notifications/subscriptions/acknowledged" {
				t.Fatalf("alice's listen within the burst: %+v", m)
			}
		}
		m := next(t, listen(t, r.url, "alice", uri))
		if m.Error == nil || m.Error.Code != identity.CodeOverLimit || !strings.Contains(m.Error.Message, "alice is over kubemcp's limit") {
			t.Fatalf("alice's third listen: %+v", m)
		}
		if m := next(t, listen(t, r.url, "bob", uri)); m.Method != "notifications/subscriptions/acknowledged" {
			t.Fatalf("bob's listen: %+v", m)
		}
	})
}
