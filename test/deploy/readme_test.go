package deploy

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the chart README's values table from values.yaml")

const (
	tableStart = "<!-- values table: generated from values.yaml by go test ./test/deploy -run TestChartREADME -update -->\n"
	tableEnd   = "<!-- end of values table -->\n"
)

// TestChartREADME keeps the chart README's values table what values.yaml
// says: every key, its type, its default and its "# --" description.
func TestChartREADME(t *testing.T) {
	values, err := os.ReadFile(repoPath(t, "deploy", "helm", "kubemcp", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	readmePath := repoPath(t, "deploy", "helm", "kubemcp", "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(readme), tableStart)
	_, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("README.md lacks the table markers %q and %q", tableStart, tableEnd)
	}
	want := before + tableStart + valuesTable(t, values) + tableEnd + after
	if *update {
		if err := os.WriteFile(readmePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(readme) {
		t.Error("deploy/helm/kubemcp/README.md is stale: run go test ./test/deploy -run TestChartREADME -update")
	}
}

// valuesTable is the Markdown table of values.yaml's keys.
func valuesTable(t *testing.T, values []byte) string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(values, &doc); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("| key | type | default | description |\n|---|---|---|---|\n")
	walkValues(t, &b, "", doc.Content[0])
	return b.String()
}

// walkValues writes a row per described key; an undescribed mapping is
// walked into, an undescribed leaf fails the test.
func walkValues(t *testing.T, b *bytes.Buffer, prefix string, m *yaml.Node) {
	for i := 0; i < len(m.Content); i += 2 {
		key, val := m.Content[i], m.Content[i+1]
		path := prefix + key.Value
		desc := description(key.HeadComment)
		switch {
		case desc != "":
			fmt.Fprintf(b, "| `%s` | %s | `%s` | %s |\n", path, kindOf(val), defaultOf(t, val), desc)
		case val.Kind == yaml.MappingNode:
			walkValues(t, b, path+".", val)
		default:
			t.Errorf("values.yaml: %s has no \"# --\" description", path)
		}
	}
}

// description is the "# --" comment (and the lines after it) above a key.
func description(comment string) string {
	_, desc, ok := strings.Cut(comment, "# --")
	if !ok {
		return ""
	}
	var words []string
	for line := range strings.Lines(desc) {
		words = append(words, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#")))
	}
	return strings.ReplaceAll(strings.Join(words, " "), "|", `\|`)
}

func kindOf(n *yaml.Node) string {
	switch n.Tag {
	case "!!str":
		return "string"
	case "!!bool":
		return "bool"
	case "!!int":
		return "int"
	case "!!map":
		return "object"
	case "!!seq":
		return "list"
	}
	return n.Tag
}

func defaultOf(t *testing.T, n *yaml.Node) string {
	var v any
	if err := n.Decode(&v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
