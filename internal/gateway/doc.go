// Package gateway serves the tools of upstream MCP servers beside kubemcp's
// own, as <upstream>__<tool>: it keeps one client session to each upstream
// (stdio, streamable HTTP, legacy SSE or WebSocket), mirrors its tool list into
// kubemcp's server as it changes, withdraws the tools while the upstream is
// down and reconnects with backoff. Every call to an upstream tool passes
// the same middleware (per-user limits, audit) and output gate (redaction)
// as kubemcp's own tools, and the same read-only and destructive filters.
package gateway
