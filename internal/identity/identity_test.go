package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestBearerNeverPrinted: however an Identity (or something holding one) is
// printed, logged or marshalled, the passthrough bearer does not show.
func TestBearerNeverPrinted(t *testing.T) {
	const token = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0.c2ln"
	id := WithBearer(Identity{User: "alice", Groups: []string{"team-a"}}, token)
	holder := struct {
		Who  *Identity
		Copy Identity
	}{id, *id}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("call", "identity", id)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("call", "identity", id, "holder", holder)
	js, _ := json.Marshal(holder)
	for _, s := range []string{
		fmt.Sprint(id), fmt.Sprintf("%v %+v %#v %s", id, id, id, id),
		fmt.Sprintf("%v %+v %#v", holder, holder, holder),
		fmt.Sprintf("%v %+v %#v", *id, *id, *id),
		logs.String(), string(js), fmt.Errorf("calling as %v", id).Error(),
	} {
		if strings.Contains(s, "c2VjcmV0") {
			t.Errorf("bearer printed: %s", s)
		}
	}
	if id.Bearer() != token {
		t.Fatal("Bearer lost the token")
	}
	if got := id.String(); got != "alice (groups team-a)" {
		t.Errorf("String = %q", got)
	}
}

func TestKey(t *testing.T) {
	base := Identity{User: "alice", Groups: []string{"a", "b"}, Extra: map[string][]string{"x": {"1"}}}
	same := Identity{User: "alice", Groups: []string{"b", "a"}, Extra: map[string][]string{"x": {"1"}}}
	if base.Key() != same.Key() {
		t.Error("group order changes the key")
	}
	differ := []*Identity{
		{User: "alice"},
		{User: "alice", Groups: []string{"a"}},
		{User: "alice", Groups: []string{"a", "b"}, Extra: map[string][]string{"x": {"2"}}},
		{User: "alice", Groups: []string{"a,b"}, Extra: map[string][]string{"x": {"1"}}},
		{User: "bob", Groups: []string{"a", "b"}, Extra: map[string][]string{"x": {"1"}}},
		WithBearer(base, "t1"),
		WithBearer(base, "t2"),
	}
	var none *Identity // no caller
	seen := map[string]int{base.Key(): -1, none.Key(): -2}
	if none.Key() != "" {
		t.Errorf("no caller has the key %q, want \"\"", none.Key())
	}
	for i, id := range differ {
		if j, dup := seen[id.Key()]; dup {
			t.Errorf("identities %d and %d share a key", j, i)
		}
		seen[id.Key()] = i
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if FromContext(ctx) != nil {
		t.Fatal("identity in an empty context")
	}
	id := &Identity{User: "alice"}
	if FromContext(NewContext(ctx, id)) != id {
		t.Fatal("identity lost")
	}
}
