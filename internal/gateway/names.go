package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxName is the longest tool name kubemcp serves: model providers reject
// longer ones (OpenAI and Anthropic both cap function names at 64).
const maxName = 64

// servedName is the name kubemcp serves an upstream's tool under:
// <upstream>__<tool>, with characters tool names may not have replaced by
// "_", and cut to maxName with a hash of the whole name appended, so that the
// same tool always gets the same name and two long names that share a prefix
// still differ. Upstream names cannot contain "__" (config checks), so the
// prefix says which upstream a tool is from.
func servedName(upstream, tool string) string {
	name := upstream + "__" + strings.Map(toolRune, tool)
	if len(name) <= maxName {
		return name
	}
	sum := sha256.Sum256([]byte(upstream + "__" + tool))
	const suffix = 1 + 8 // "_" and 8 hex digits
	return name[:maxName-suffix] + "_" + hex.EncodeToString(sum[:4])
}

// toolRune keeps the characters the MCP specification allows in a tool name.
func toolRune(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		return r
	}
	return '_'
}
