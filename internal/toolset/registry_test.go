package toolset

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// fakeSet is a toolset of metadata only: Select reads nothing else.
type fakeSet struct {
	name  string
	tools []Tool
}

func (f fakeSet) Name() string        { return f.name }
func (f fakeSet) Description() string { return f.name }
func (f fakeSet) Tools() []Tool       { return f.tools }

func tool(name string, readOnly bool, destructive *bool) Tool {
	return New(mcp.Tool{Name: name, Annotations: &mcp.ToolAnnotations{ReadOnlyHint: readOnly, DestructiveHint: destructive}},
		func(context.Context, *mcp.CallToolRequest, struct{}) (string, struct{}, error) {
			return "", struct{}{}, nil
		})
}

func TestSelect(t *testing.T) {
	sets := []Toolset{
		fakeSet{"core", []Tool{tool("get", true, Bool(false)), tool("scale", false, Bool(false)), tool("delete", false, Bool(true)), tool("unhinted", false, nil)}},
		fakeSet{"extra", []Tool{tool("logs", true, Bool(false))}},
	}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"all", Filter{}, []string{"get", "scale", "delete", "unhinted", "logs"}},
		{"read-only", Filter{ReadOnly: true}, []string{"get", "logs"}},
		{"no destructive (unhinted counts as destructive)", Filter{DisableDestructive: true}, []string{"get", "scale", "logs"}},
		{"toolsets", Filter{Toolsets: []string{"extra"}}, []string{"logs"}},
		{"enabled", Filter{Enabled: []string{"get", "delete"}}, []string{"get", "delete"}},
		{"enabled but read-only", Filter{Enabled: []string{"get", "delete"}, ReadOnly: true}, []string{"get"}},
		{"disabled", Filter{Disabled: []string{"get"}}, []string{"scale", "delete", "unhinted", "logs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tools, err := Select(sets, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tl := range tools {
				got = append(got, tl.Meta.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	_, err := Select(sets, Filter{Toolsets: []string{"cor"}, Disabled: []string{"gte"}})
	if err == nil || !strings.Contains(err.Error(), `unknown toolset "cor"; toolsets: core, extra`) || !strings.Contains(err.Error(), `unknown tool "gte"`) {
		t.Fatalf("want both unknown names reported with the known ones, got %v", err)
	}
}

func TestSelectRefusesTwoToolsOfOneName(t *testing.T) {
	sets := []Toolset{fakeSet{"core", []Tool{tool("get", true, Bool(false))}}, fakeSet{"extra", []Tool{tool("get", true, Bool(false))}}}
	_, err := Select(sets, Filter{})
	if err == nil || !strings.Contains(err.Error(), `tool "get" is defined twice, by toolsets "core" and "extra"`) {
		t.Fatalf("want the duplicate named, got %v", err)
	}
}

func TestSelectRefusesConfirmationOfNoTool(t *testing.T) {
	sets := []Toolset{fakeSet{"core", []Tool{tool("rollout", false, Bool(true))}}}
	if _, err := Select(sets, Filter{Confirm: []string{"roll*", "rollout"}}); err != nil {
		t.Fatal(err)
	}
	_, err := Select(sets, Filter{Confirm: []string{"rollout_undo"}})
	if err == nil || !strings.Contains(err.Error(), `policy.confirm names tool "rollout_undo", which matches no tool`) {
		t.Fatalf("want the rule named, got %v", err)
	}
}
