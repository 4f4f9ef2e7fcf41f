package console_test

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/kubemcp/kubemcp/internal/store"
)

// TestLockedDatabaseAnswers503: while another process holds the console's
// database locked past the busy timeout, a write is answered 503 saying so,
// and what was saved before is still served.
func TestLockedDatabaseAnswers503(t *testing.T) {
	path := filepath.Join(t.TempDir(), "console.db")
	c := startConsole(t, "--db", path)
	c.login(t)
	var d store.Dashboard
	decodeOK(t, http.StatusCreated, &d)(c.do(t, "POST", "/api/dashboards", map[string]any{"name": "before"}))

	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate") // another process's handle
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(context.Background(), nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	status, body := c.do(t, "POST", "/api/dashboards", map[string]any{"name": "blocked"})
	wantError(t, status, body, http.StatusServiceUnavailable, "unavailable", "locked by another process")
	tx.Rollback()

	var list struct{ Dashboards []store.Dashboard }
	decodeOK(t, http.StatusOK, &list)(c.do(t, "GET", "/api/dashboards", nil))
	if len(list.Dashboards) != 1 || list.Dashboards[0].Name != "before" {
		t.Errorf("dashboards after the lock: %+v", list.Dashboards)
	}
}
