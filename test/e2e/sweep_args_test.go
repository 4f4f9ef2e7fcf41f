package e2e

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// target is a planted object the sweep aims a tool at; a target without a
// resource is the planted namespace itself.
type target struct {
	resource, kind, apiVersion, name string
	clusterScoped                    bool
}

func (p *planted) objects() []target {
	return []target{
		{resource: "pods", kind: "Pod", apiVersion: "v1", name: p.pod},
		{resource: "deployments", kind: "Deployment", apiVersion: "apps/v1", name: p.deployment},
		{resource: "events", kind: "Event", apiVersion: "v1", name: p.event},
		{resource: "configmaps", kind: "ConfigMap", apiVersion: "v1", name: p.configMap},
		{resource: "secrets", kind: "Secret", apiVersion: "v1", name: p.secret},
	}
}

// targetsFor picks the planted objects a tool can be aimed at: any kind for
// tools that take a resource; else what the tool's name says it handles.
func (p *planted) targetsFor(tool string, s inputSchema) []target {
	objs := p.objects()
	switch {
	case s.props["resource"] || s.props["api_version"] || s.props["manifest"]:
		return objs
	case strings.HasPrefix(tool, "nodes_"):
		return []target{{kind: "Node", name: p.node, clusterScoped: true}}
	case strings.HasPrefix(tool, "rollout"), strings.HasPrefix(tool, "workloads_"):
		return objs[1:2]
	case s.props["name"] || s.props["kind"]: // pods_*, port_forward, events_list (of the Pod)
		return objs[:1]
	}
	return []target{{}}
}

// aim says how an argument set aims at its target.
type aim int

const (
	byName      aim = iota // the object itself
	bySelector             // the planted objects' label
	inNamespace            // everything in the planted namespace
	everywhere             // every namespace (read tools only)
)

// argSets derives a tool's argument sets from its input schema: for each
// target and aim, every property the sweep knows a value for, and action
// unless it is "". A write tool gets a dry run where it has one; else it
// changes only planted objects, or (kubectl, helm) only reads. A tool no set
// fits gets none, and the sweep fails for it.
func (p *planted) argSets(tool *mcp.Tool, action string) []map[string]any {
	s := schemaProperties(tool.InputSchema)
	if action != "" {
		s = s.forAction(tool.Name, action)
	}
	if s.props["args"] {
		return p.cliArgSets(tool.Name, s)
	}
	var sets []map[string]any
	seen := map[string]bool{}
	add := func(in map[string]any) {
		key, _ := json.Marshal(in)
		if !seen[string(key)] {
			seen[string(key)] = true
			sets = append(sets, in)
		}
	}
	for _, t := range p.targetsFor(tool.Name, s) {
		for _, a := range []aim{byName, bySelector, inNamespace, everywhere} {
			if a == everywhere && !tool.Annotations.ReadOnlyHint {
				continue
			}
			in, ok := p.fill(s, t, a)
			if !ok {
				continue
			}
			if action != "" {
				in["action"] = action
			}
			add(in)
			if a == byName && t.resource == "secrets" && s.props["reveal_secret_values"] {
				add(with(in, "reveal_secret_values", true)) // refused: allowSecretReveal is off
			}
		}
	}
	return sets
}

// forAction is s as one action of tool takes it: without the properties
// another action takes (their descriptions start with "ACTION:"), and with
// action given by argSets, not required of fill.
func (s inputSchema) forAction(tool, action string) inputSchema {
	out := inputSchema{props: maps.Clone(s.props), desc: s.desc}
	for prop := range s.props {
		for _, a := range actions[tool] {
			if a != action && strings.HasPrefix(s.desc[prop], a+":") {
				delete(out.props, prop)
			}
		}
	}
	out.required = slices.DeleteFunc(slices.Clone(s.required), func(r string) bool { return r == "action" })
	return out
}

// fill gives every property of s the sweep knows a value for; ok is false
// if a required one is left or the aim needs a property s lacks.
func (p *planted) fill(s inputSchema, t target, a aim) (map[string]any, bool) {
	if a == byName && !s.props["name"] || a == bySelector && !s.props["label_selector"] {
		return nil, false
	}
	in := map[string]any{}
	for prop := range s.props {
		if v, ok := p.value(prop, s, t, a); ok {
			in[prop] = v
		}
	}
	for _, r := range s.required {
		if _, ok := in[r]; !ok {
			return nil, false
		}
	}
	return in, true
}

// value is the sweep's value for one property, by its name; ok is false for
// a property it leaves to the tool's default.
func (p *planted) value(prop string, s inputSchema, t target, a aim) (any, bool) {
	switch prop {
	case "namespace":
		return p.ns, a != everywhere && !t.clusterScoped
	case "name":
		return t.name, a == byName
	case "label_selector":
		return sweepLabel, a == bySelector
	case "resource":
		return t.resource, t.resource != ""
	case "kind": // a resource, when the tool takes one, says it already
		return t.kind, t.kind != "" && !s.props["resource"]
	case "api_version":
		return t.apiVersion, t.apiVersion != "" && !s.props["resource"]
	case "dry_run", "timestamps":
		return true, true
	case "force": // only ever in a dry run
		return true, s.props["dry_run"]
	}
	return p.payload(prop, t)
}

// payload is the value of a property that says what a tool does.
func (p *planted) payload(prop string, t target) (any, bool) {
	switch prop {
	case "output":
		return "yaml", true
	case "tail_lines":
		return 100, true
	case "command":
		return []string{"env"}, true // the fake runtime prints the container's env
	case "ports":
		return []string{"8080"}, true
	case "id":
		return cmp.Or(p.forwardID, "pf-none"), true
	case "replicas":
		return 2, true
	case "revision": // rollout_history shows that revision's pod template
		return 1, true
	case "verb":
		return "get", true
	case "service_account":
		return p.ns + "/default", true
	case "patch":
		return `{"metadata":{"labels":{"kubemcp-sweep-patched":"yes"}}}`, true
	case "manifest":
		return p.manifest(t), t.resource != ""
	}
	return nil, false
}

// manifest is t with one more label: applied as a dry run, the diff shows
// the rest of the live object.
func (p *planted) manifest(t target) string {
	return fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  namespace: %s\n  labels:\n    kubemcp-sweep-applied: \"yes\"\n",
		t.apiVersion, t.kind, t.name, p.ns)
}

// cliArgSets are commands for the CLI tools: each planted object read every
// way kubectl shows one, and the planted helm release's values. A CLI tool
// without commands here gets none, and the sweep fails for it.
func (p *planted) cliArgSets(tool string, s inputSchema) []map[string]any {
	var argvs [][]string
	switch tool {
	case "kubectl":
		for _, t := range p.objects() {
			argvs = append(argvs, []string{"get", t.resource, t.name, "-o", "yaml"}, []string{"describe", t.resource, t.name})
		}
		argvs = append(argvs, []string{"get", "events", "-o", "wide"}, []string{"logs", p.pod},
			[]string{"get", "--raw", "/api/v1/namespaces/" + p.ns + "/secrets"})
	case "helm":
		argvs = [][]string{{"list"}, {"get", "values", helmRelease}, {"get", "all", helmRelease}, {"history", helmRelease}}
	}
	var sets []map[string]any
	for _, argv := range argvs {
		in := map[string]any{"args": argv}
		if s.props["namespace"] {
			in["namespace"] = p.ns
		}
		sets = append(sets, in)
	}
	return sets
}

func with(in map[string]any, k string, v any) map[string]any {
	out := maps.Clone(in)
	out[k] = v
	return out
}
