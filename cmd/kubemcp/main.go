// Command kubemcp is a Model Context Protocol server for Kubernetes.
package main

import "github.com/kubemcp/kubemcp/internal/app"

func main() { app.Main() }
