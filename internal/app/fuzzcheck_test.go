package app

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// check holds the answer a to m to what the protocol allows; a request
// is taken with status ok.
func (r *fuzzRig) check(t *testing.T, era string, m message, a answer, ok int) {
	t.Helper()
	if p := r.log.taken(); len(p) > 0 {
		t.Fatalf("%s: the server panicked on %s:\n%s", era, m.body, strings.Join(p, "\n"))
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s: HTTP %d %s %q: %s", era, m.body, a.status, a.contentType, a.body, fmt.Sprintf(format, args...))
	}
	for _, raw := range a.messages {
		if err := wellFormed(raw); err != nil {
			fail("%s in %s", err, raw)
		}
	}
	switch {
	case a.status >= 500 || a.status < 200:
		fail("the status of a server fault")
	case a.status >= 400:
		if len(a.messages) != 1 {
			fail("a refusal is one JSON-RPC error")
		}
	case !json.Valid(m.body):
		// Refused, or read as far as go-sdk's decoder reads: it takes the
		// first JSON value of a body and ignores what trails it.
	case !m.call():
		if a.status != http.StatusAccepted || len(a.body)+len(a.messages) > 0 {
			fail("a notification is accepted with 202 and no body")
		}
	case a.status != ok || !slices.ContainsFunc(a.messages, answers(m)):
		fail("a request is taken with %d and answered with a response bearing its id", ok)
	}
}

// wellFormed checks that raw is a JSON-RPC 2.0 message: a request or
// notification the server sends, or a response with a result or an error.
func wellFormed(raw json.RawMessage) error {
	var m struct {
		JSONRPC string           `json:"jsonrpc"`
		ID      *json.RawMessage `json:"id"`
		Method  *string          `json:"method"`
		Result  json.RawMessage  `json:"result"`
		Error   *struct {
			Code    *int64  `json:"code"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	var fields map[string]json.RawMessage
	switch err := json.Unmarshal(raw, &m); {
	case err != nil || json.Unmarshal(raw, &fields) != nil:
		return fmt.Errorf("not a JSON-RPC message: %w", err)
	case m.JSONRPC != "2.0":
		return fmt.Errorf(`jsonrpc is %q, not "2.0"`, m.JSONRPC)
	case m.Method != nil:
		return nil
	case fields["id"] == nil:
		return fmt.Errorf("a response without an id") // null is one: an error about a request whose id could not be read
	case (m.Result == nil) == (m.Error == nil):
		return fmt.Errorf("a response needs a result or an error, not both")
	case m.Error != nil && (m.Error.Code == nil || m.Error.Message == nil):
		return fmt.Errorf("an error needs a code and a message")
	}
	return nil
}

// answers reports whether raw is the response to m: its id is m's (a number
// as go-sdk reads it, an integer).
func answers(m message) func(json.RawMessage) bool {
	var want any
	_ = json.Unmarshal([]byte(m.id), &want)
	return func(raw json.RawMessage) bool {
		var got struct {
			ID     any     `json:"id"`
			Method *string `json:"method"`
		}
		if json.Unmarshal(raw, &got) != nil {
			return false
		}
		if got.Method != nil { // a listen is answered once it holds
			return m.method == "subscriptions/listen" && *got.Method == "notifications/subscriptions/acknowledged"
		}
		if w, ok := want.(float64); ok {
			g, ok := got.ID.(float64)
			return ok && (g == float64(int64(w)) || w != float64(int64(w)))
		}
		return got.ID == want
	}
}
