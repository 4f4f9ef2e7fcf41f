package transport

import (
	"net/http"
	"time"
)

// DefaultBodyTimeout is HTTPOptions.BodyTimeout when it is zero.
const DefaultBodyTimeout = 30 * time.Second

// Timeouts of the HTTP server for what a request sends before its handler
// answers: a client that dribbles its headers cannot hold a connection and a
// goroutine for long. A connection kept alive between requests is closed
// after idleConnTimeout.
const (
	readHeaderTimeout = 10 * time.Second
	idleConnTimeout   = 2 * time.Minute
)

// bodyDeadline gives a request limit to send its body. The deadline
// outlives the body harmlessly: net/http lifts it once the body has been
// read to its end (HTTP/1.1), and over HTTP/2 it bounds only the body, so
// long answers (event streams, a call still running) are not cut.
func bodyDeadline(h http.Handler, limit time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(limit)) // an unsupported writer only loses the bound
		}
		h.ServeHTTP(w, r)
	})
}
