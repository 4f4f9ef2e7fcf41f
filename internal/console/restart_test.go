package console_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/console"
	"github.com/kubemcp/kubemcp/internal/store"
)

// TestMissionsInFlightFailOnRestart: missions a previous console left
// planning or applying (in the database file, as a killed process leaves
// it) are failed when the console starts, each saying why; one awaiting
// approval and one done stay as they were.
func TestMissionsInFlightFailOnRestart(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "console.db")
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.SignIn(ctx, store.User{Subject: "dev:" + console.DevUser, Name: console.DevUser, KubeUser: console.DevUser})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, status := range []string{"planning", "applying", "awaiting_approval", "done"} {
		m, err := s.CreateMission(ctx, u.ID, "left "+status, status)
		if err != nil {
			t.Fatal(err)
		}
		ids[status] = m.ID
	}
	if _, err := s.AddMissionEvent(ctx, ids["planning"], "message", map[string]string{"text": "looking"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	c := startConsole(t, "--db", db)
	c.login(t)
	want := map[string]string{"planning": "failed", "applying": "failed", "awaiting_approval": "awaiting_approval", "done": "done"}
	for was, id := range ids {
		var got struct {
			Mission struct{ Status string }
			Events  []struct {
				Seq     int64
				Kind    string
				Payload map[string]string
			}
		}
		decodeOK(t, http.StatusOK, &got)(c.do(t, "GET", fmt.Sprintf("/api/missions/%d", id), nil))
		if got.Mission.Status != want[was] {
			t.Errorf("the mission left %s is %s, want %s", was, got.Mission.Status, want[was])
		}
		if want[was] != "failed" {
			continue
		}
		last := got.Events[len(got.Events)-1]
		if last.Kind != "error" || !strings.Contains(last.Payload["message"], "the console restarted while this mission was "+was) || last.Seq != int64(len(got.Events)) {
			t.Errorf("the mission left %s ends with %+v", was, got.Events)
		}
	}
}
