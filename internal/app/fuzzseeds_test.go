package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type seed struct{ method, params, id string }

// methods are every method an MCP client may send a server, and some it may not.
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

// shapes are params of every JSON shape, and some not JSON at all; every
// method gets each.
var shapes = []string{"", "null", "{}", "[]", `"x"`, "1", "1e400", "true", `{"_meta":[]}`, "[", deep, `"` + strings.Repeat("x", 1<<16) + `"`}

// fields are params whose fields have the wrong shapes, for the methods that
// read those fields.
var fields = map[string][]string{
	"initialize": {`{"protocolVersion":null,"capabilities":null,"clientInfo":null}`, `{"protocolVersion":1,"capabilities":[]}`},
	"tools/call": {`{"name":null}`, `{"name":1}`, `{"name":"pods_list","arguments":null}`, `{"name":"pods_list","arguments":[1]}`,
		`{"name":"pods_list","arguments":"x"}`, `{"arguments":{"namespace":{"$ne":1}}}`, `{"_meta":null}`, `{"name":"nope"}`},
	"prompts/get":           {`{"name":null}`, `{"name":"troubleshoot_pod","arguments":[1]}`, `{"name":"nope","arguments":{"a":1}}`},
	"resources/read":        {`{"uri":null}`, `{"uri":"k8s://"}`, `{"uri":"k8s://offline/shop/pods/x"}`, `{"uri":"k8s://offline/nodes/%zz"}`, `{"uri":"k8s://offline/a/b/c/d/e"}`},
	"resources/subscribe":   {`{"uri":null}`, `{"uri":"k8s://offline/shop/pods/x"}`, `{"uri":"file:///etc/passwd"}`},
	"resources/unsubscribe": {`{"uri":"k8s://offline/shop/pods/x"}`, `{"uri":7}`},
	"completion/complete": {`{"ref":null,"argument":null}`, `{"ref":{"type":"ref/prompt","name":null},"argument":{}}`,
		`{"ref":{"type":"ref/resource","uri":"k8s://{cluster}/{resource}/{name}"},"argument":{"name":"cluster","value":""}}`,
		`{"ref":{"type":"ref/prompt","name":"troubleshoot_pod"},"argument":{"name":"namespace","value":"x"},"context":null}`},
	"logging/setLevel":        {`{"level":"nope"}`, `{"level":null}`},
	"subscriptions/listen":    {`{"notifications":null}`, `{"notifications":{"resourceSubscriptions":null}}`, `{"notifications":{"resourceSubscriptions":[null,1]}}`, `{"notifications":{"resourceSubscriptions":["k8s://offline/shop/pods/x"]}}`},
	"notifications/cancelled": {`{"requestId":null}`, `{"requestId":{}}`},
	"notifications/progress":  {`{"progressToken":{},"progress":"x"}`},
	"tools/list":              {`{"cursor":"garbage"}`, `{"cursor":1}`},
}

var ids = []string{"1", `"a"`, "", "null", "1.5", "-1", "9007199254740993", "1e400", "{}", "[]", "true", `""`}

// seeds are every method with params of every shape and with fields of the
// wrong shapes, ids of every shape, and every tool and prompt the server has
// with arguments of the wrong shapes. They are few enough that fuzzing gets
// past its first pass over them in make fuzz's minute.
func (r *fuzzRig) seeds(f *testing.F) []seed {
	var all []seed
	for _, m := range methods {
		for _, p := range append(shapes, fields[m]...) {
			id := "1"
			if strings.HasPrefix(m, "notifications/") {
				id = ""
			}
			all = append(all, seed{m, p, id})
		}
	}
	for _, m := range []string{"Tools/Call", "tools/call ", "tools/call\x00", "\xff", strings.Repeat("x", 1<<16)} {
		all = append(all, seed{m, "{}", "1"})
	}
	for _, id := range ids {
		all = append(all, seed{"ping", "{}", id}, seed{"tools/call", "null", id}, seed{"notifications/initialized", "", id})
	}
	for _, args := range []string{"null", "[]", `{"namespace":{"$ne":1},"name":[],"max_bytes":-1,"cluster":"*"}`} {
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
