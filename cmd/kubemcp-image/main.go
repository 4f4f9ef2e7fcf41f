// Command kubemcp-image builds kubemcp's container image without a container
// engine (make image).
package main

import "github.com/kubemcp/kubemcp/internal/imagebuild"

func main() { imagebuild.Main() }
