package console

import (
	"io/fs"
	"net/http"
	"strings"
)

// appDir is where `make web` builds the web app, inside the embedded web
// folder. Without it (a plain `go build` or `go install`), the console
// serves web/index.html: a page that says how to build the app.
const appDir = "web/app"

// contentSecurity lets the app's pages run only the app's own scripts;
// inline styles are allowed for the grid's positioning.
const contentSecurity = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// appFiles is the built app when there is one, else the placeholder.
func appFiles() fs.FS {
	if _, err := fs.Stat(web, appDir+"/index.html"); err == nil {
		app, _ := fs.Sub(web, appDir) // exists: checked above
		return app
	}
	app, _ := fs.Sub(web, "web") // the embedded folder exists
	return app
}

// spa serves the web app: its hashed files under /assets/, and index.html
// for every other path, so the app's own routes (/clusters, /events) load
// it on a reload. The API and MCP keep their 404s.
func spa(app fs.FS) http.Handler {
	files := http.FileServerFS(app)
	index, _ := fs.ReadFile(app, "index.html") // appFiles has one
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the console's pages are read with GET", http.StatusMethodNotAllowed)
		case p == "/mcp" || strings.HasPrefix(p, "/mcp/"):
			http.NotFound(w, r)
		case strings.HasPrefix(p, "/assets/"):
			// Names carry a content hash: a file never changes under its name.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			files.ServeHTTP(w, r)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			w.Header().Set("Content-Security-Policy", contentSecurity)
			w.Write(index)
		}
	})
}
