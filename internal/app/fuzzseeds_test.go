package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type seed struct{ method, params, id string }

// methods are every method an MCP client may send a server.
var methods = []string{
	"initialize", "ping", "server/discover",
	"tools/list", "tools/call",
	"prompts/list", "prompts/get",
	"resources/list", "resources/read", "resources/templates/list", "resources/subscribe", "resources/unsubscribe",
	"completion/complete", "logging/setLevel", "subscriptions/listen",
	"notifications/initialized", "notifications/cancelled", "notifications/progress", "notifications/roots/list_changed",
	"", "nope", "tools/", "rpc.discover",
}

// deep is JSON nested past what a decoder will follow.
var deep = strings.Repeat(`{"a":[`, 6000) + strings.Repeat(`]}`, 6000)

// shapes are params of every JSON shape, and some not JSON at all.
var shapes = []string{
	"", "null", "{}", "[]", `"x"`, "1", "-0", "1e400", "true", "[1,{}]", `{"_meta":null}`, `{"_meta":[]}`,
	`{"name":null}`, `{"name":1}`, `{"name":"pods_list","arguments":null}`, `{"name":"pods_list","arguments":[1]}`,
	`{"name":"pods_list","arguments":"x"}`, `{"arguments":{"namespace":{"$ne":1}}}`, `{"uri":null}`, `{"uri":"k8s://"}`,
	`{"uri":"k8s://offline/shop/pods/x"}`, `{"uri":"k8s://offline/nodes/%zz"}`, `{"level":"nope"}`, `{"level":null}`,
	`{"ref":null,"argument":null}`, `{"ref":{"type":"ref/prompt","name":null},"argument":{}}`,
	`{"ref":{"type":"ref/resource","uri":"k8s://{cluster}/{resource}/{name}"},"argument":{"name":"cluster","value":""}}`,
	`{"notifications":null}`, `{"notifications":{"resourceSubscriptions":null}}`, `{"notifications":{"resourceSubscriptions":[null,1]}}`,
	`{"requestId":null}`, `{"progressToken":{},"progress":"x"}`, `{"cursor":"garbage"}`, `{"cursor":1}`,
	`{"protocolVersion":null,"capabilities":null,"clientInfo":null}`,
	"[", `{"name":`, "nul", deep, `"` + strings.Repeat("x", 1<<16) + `"`,
}

var ids = []string{"1", `"a"`, "", "null", "1.5", "-1", "9007199254740993", "1e400", "{}", "[]", "true", `""`}

// seeds are every method with every params shape, the shapes of id, and every
// tool and prompt the server has called with arguments of the wrong shapes.
func (r *fuzzRig) seeds(f *testing.F) []seed {
	var all []seed
	for _, m := range methods {
		for _, p := range shapes {
			all = append(all, seed{m, p, "1"})
		}
	}
	for _, id := range ids {
		all = append(all, seed{"ping", "{}", id}, seed{"tools/call", "null", id}, seed{"notifications/initialized", "", id})
	}
	for _, args := range []string{"null", "{}", "[]", `{"namespace":{"$ne":1},"name":[],"max_bytes":-1}`, `{"cluster":"*","max_bytes":1e400}`} {
		for _, tool := range r.names(f, "tools/list", "tools") {
			all = append(all, seed{"tools/call", `{"name":"` + tool + `","arguments":` + args + "}", "1"})
		}
		for _, prompt := range r.names(f, "prompts/list", "prompts") {
			all = append(all, seed{"prompts/get", `{"name":"` + prompt + `","arguments":` + args + "}", "1"},
				seed{"completion/complete", `{"ref":{"type":"ref/prompt","name":"` + prompt + `"},"argument":` + args + `,"context":{"arguments":` + args + "}}", "1"})
		}
	}
	return all
}

// names lists what method lists under key, by name.
func (r *fuzzRig) names(t testing.TB, method, key string) []string {
	a := r.post(t, newMessage(method, "{}", "1").stateless(), http.Header{"Mcp-Protocol-Version": {"2026-07-28"}, "Mcp-Method": {method}})
	var resp struct {
		Result map[string]json.RawMessage `json:"result"`
	}
	var listed []struct{ Name string }
	if len(a.messages) == 0 || json.Unmarshal(a.messages[len(a.messages)-1], &resp) != nil || json.Unmarshal(resp.Result[key], &listed) != nil || len(listed) == 0 {
		t.Fatalf("%s: HTTP %d %s", method, a.status, a.body)
	}
	var names []string
	for _, x := range listed {
		names = append(names, x.Name)
	}
	return names
}
