// Package identity says who is calling kubemcp over HTTP: the Identity type,
// its place in a context, the authenticators behind --auth (static tokens,
// OIDC, Kubernetes bearer passthrough), the HTTP middleware that turns a bearer
// into an Identity or a 401, the MCP middleware that hands the Identity to
// tool handlers, and the per-identity fairness limits.
//
// A passthrough bearer lives only inside the Identity, unexported: it never
// appears in String, logs, errors or the audit log.
package identity
