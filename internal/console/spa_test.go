package console

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSPA(t *testing.T) {
	app := fstest.MapFS{
		"index.html":         {Data: []byte("<html>app</html>")},
		"assets/index-1.js":  {Data: []byte("console.log(1)")},
		"assets/index-1.css": {Data: []byte("body{}")},
	}
	mux := http.NewServeMux()
	mux.Handle("/", spa(app))
	mux.Handle("/api/", http.NotFoundHandler())
	for _, tc := range []struct {
		method, path string
		status       int
		body, cache  string
	}{
		{"GET", "/", 200, "<html>app</html>", "no-cache"},
		{"GET", "/clusters", 200, "<html>app</html>", "no-cache"}, // a client-side route, reloaded
		{"GET", "/events?type=Warning", 200, "<html>app</html>", "no-cache"},
		{"HEAD", "/clusters", 200, "", "no-cache"},
		{"GET", "/assets/index-1.js", 200, "console.log(1)", "immutable"},
		{"GET", "/assets/gone.js", 404, "", ""}, // an old build's file: not the app in its place
		{"GET", "/api/nothing", 404, "", ""},
		{"GET", "/mcp/x", 404, "", ""},
		{"POST", "/clusters", 405, "", ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			body, _ := io.ReadAll(rec.Body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d (%s)", rec.Code, tc.status, body)
			}
			if tc.body != "" && string(body) != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
			if !strings.Contains(rec.Header().Get("Cache-Control"), tc.cache) {
				t.Errorf("Cache-Control %q, want %q in it", rec.Header().Get("Cache-Control"), tc.cache)
			}
			if tc.cache == "no-cache" && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("the app's page has no content security policy: %q", rec.Header().Get("Content-Security-Policy"))
			}
		})
	}
}

// TestPlaceholder: a binary built without `make web` still serves a page,
// and it says how to get the app.
func TestPlaceholder(t *testing.T) {
	page, err := web.ReadFile("web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "make build") {
		t.Errorf("the placeholder page does not say to run make build:\n%s", page)
	}
}
