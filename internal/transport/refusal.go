package transport

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// jsonRPCRefusals makes go-sdk's plain-text refusals of a request (a body
// that is not JSON-RPC, an unknown method, a missing id, an unknown session)
// JSON-RPC error responses with the same status, so that a client always
// reads a JSON-RPC answer: the 2025-11-25 transport allows either, and a
// client's parser should not have to handle both. Everything else, event
// streams included, passes through untouched.
func jsonRPCRefusals(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &refusal{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		rw.finish()
	})
}

type refusal struct {
	http.ResponseWriter
	status int          // a plain-text refusal's status, while its text is held
	text   bytes.Buffer // the refusal's text
}

func (w *refusal) WriteHeader(status int) {
	h := w.Header()
	if status >= 400 && status < 500 && strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		w.status = status
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *refusal) Write(b []byte) (int, error) {
	if w.status != 0 {
		return w.text.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// Flush and Unwrap keep event streams working through the wrapper.
func (w *refusal) Flush() {
	if w.status == 0 {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

func (w *refusal) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *refusal) finish() {
	if w.status == 0 {
		return
	}
	code := -32600 // invalid request
	if w.status == http.StatusNotFound {
		code = -32001 // the session is gone: start a new one
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": nil,
		"error": map[string]any{"code": code, "message": strings.TrimSpace(w.text.String())}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(append(body, '\n'))
}
