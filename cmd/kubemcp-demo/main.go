// Command kubemcp-demo starts a seeded local cluster and kubemcp in front of
// it, and prints how to connect MCP clients. See internal/demo.
package main

import "github.com/kubemcp/kubemcp/internal/demo"

func main() { demo.Main() }
