// Package console is kubemcp's web console for people: the web app at /, its
// JSON API and progressive SSE streams under /api/, served beside MCP on the
// same listener. It reads clusters only through kubemcp's own tools, over an
// in-process MCP session as the signed-in user, from their structured
// results; no cluster credential reaches the browser. State (users,
// dashboards, cards) lives in internal/store.
//
// Files: console.go (options, routes), errors.go (handlers that return
// errors, the one error writer, request decoding), session.go (session
// cookies, the dev user, the origin and host checks), signin.go (the OAuth
// authorization code flow with PKCE), github.go and oidc.go (its
// providers), rules.go (whom a person reaches Kubernetes as), bridge.go (the
// MCP session) and remote.go (the same over HTTP to another kubemcp),
// dashboards.go, catalog.go, settings.go, onboarding.go, clusters.go,
// objects.go, logs.go, insights.go, recommend*.go, missions.go, summary.go
// and proactive.go (AI summaries asked for, and made unasked), stream.go
// (SSE of every cluster's answers) and live.go (/api/live, the watches),
// the API; spa.go (the embedded web app).
package console
