package gateway

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// answer turns an upstream's result into what the gate takes: its text
// content as text, each other part as a line that says what it was (images,
// audio and binary resources are not passed on: the gate redacts text, and
// cannot vouch for them), and its structuredContent as it came. An isError
// result stays one, and names the upstream.
func (u *upstream) answer(tool string, res *mcp.CallToolResult) (string, json.RawMessage, error) {
	var parts []string
	for _, c := range res.Content {
		parts = append(parts, describe(c))
	}
	text := strings.Join(parts, "\n")
	var structured json.RawMessage
	if res.StructuredContent != nil {
		doc, err := json.Marshal(res.StructuredContent)
		if err != nil {
			return "", nil, fmt.Errorf("upstream %q: %s answered structured content kubemcp cannot encode: %v", u.cfg.Name, tool, err)
		}
		structured = doc
	}
	if res.IsError {
		return fmt.Sprintf("upstream %q: %s failed: %s", u.cfg.Name, tool, text), structured,
			toolset.WithOutput(errors.New("the upstream reported an error"))
	}
	return text, structured, nil
}

func describe(c mcp.Content) string {
	switch c := c.(type) {
	case *mcp.TextContent:
		return c.Text
	case *mcp.ImageContent:
		return fmt.Sprintf("[an image (%s, %d bytes) that kubemcp does not pass on]", c.MIMEType, len(c.Data))
	case *mcp.AudioContent:
		return fmt.Sprintf("[audio (%s, %d bytes) that kubemcp does not pass on]", c.MIMEType, len(c.Data))
	case *mcp.ResourceLink:
		return fmt.Sprintf("[resource link %s: %s]", c.Name, c.URI)
	case *mcp.EmbeddedResource:
		if r := c.Resource; r != nil && r.Text != "" {
			return r.Text
		} else if r != nil {
			return fmt.Sprintf("[a binary resource %s (%s) that kubemcp does not pass on]", r.URI, r.MIMEType)
		}
	}
	return fmt.Sprintf("[%T content that kubemcp does not pass on]", c)
}
