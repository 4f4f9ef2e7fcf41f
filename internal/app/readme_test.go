package app

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/toolset"
)

// TestREADMEListsWhatFlagsHide holds README.md to the tools --read-only and
// --disable-destructive hide: each flag's sentence ("`--read-only` hides
// ...", up to its full stop) must name exactly the tools toolset.Select
// drops under it, the CLI's included, so the README cannot drift from the
// annotations.
func TestREADMEListsWhatFlagsHide(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := offlineKubeconfig(t)
	optIn := []string{"cli", "shell", "helm", "install"} // every opt-in toolset: the README lists what each loses
	all := selected(t, everyCLITool(t, kubeconfig, false), toolset.Filter{OptIn: optIn})
	for _, tt := range []struct {
		flag   string
		filter toolset.Filter
	}{
		{"--read-only", toolset.Filter{OptIn: optIn, ReadOnly: true}},
		{"--disable-destructive", toolset.Filter{OptIn: optIn, DisableDestructive: true}},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			kept := selected(t, everyCLITool(t, kubeconfig, tt.filter.ReadOnly), tt.filter)
			var hidden []string
			for _, name := range all {
				if !slices.Contains(kept, name) {
					hidden = append(hidden, name)
				}
			}
			listed, ok := hiddenByREADME(string(readme), tt.flag)
			switch {
			case !ok:
				t.Fatalf("README.md has no sentence starting \"`%s` hides\"; it should list: %s", tt.flag, strings.Join(hidden, ", "))
			case !slices.Equal(listed, hidden):
				t.Errorf("README.md says `%s` hides %v; it hides %v", tt.flag, listed, hidden)
			}
		})
	}
}

func selected(t *testing.T, sets []toolset.Toolset, f toolset.Filter) []string {
	t.Helper()
	tools, err := toolset.Select(sets, f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools {
		names = append(names, tool.Meta.Name)
	}
	slices.Sort(names)
	return names
}

// toolName is a tool named in backquotes; flags (`--cli`) are not.
var toolName = regexp.MustCompile("`([a-z][a-z_]*)`")

// hiddenByREADME is the tools the sentence "`flag` hides ..." names, sorted.
func hiddenByREADME(readme, flag string) ([]string, bool) {
	at := regexp.MustCompile("`" + regexp.QuoteMeta(flag) + "` hides\\s").FindStringIndex(readme)
	if at == nil {
		return nil, false
	}
	sentence, _, _ := strings.Cut(readme[at[1]:], ".")
	var names []string
	for _, m := range toolName.FindAllStringSubmatch(sentence, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return names, true
}
