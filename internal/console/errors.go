package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/kubemcp/kubemcp/internal/store"
)

// handlerFunc is an API handler: it writes its answer, or returns an error
// for writeError to answer with.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// apiError is an error with the status and code the API answers it with;
// its message is shown to the caller as is.
type apiError struct {
	status int
	code   string
	msg    string
	usage  *usage // set: the user's AI use, answered beside the message
}

func (e *apiError) Error() string { return e.msg }

func errorf(status int, code, format string, args ...any) error {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// invalid says what is wrong with one field of the request.
func invalid(field, format string, args ...any) error {
	return errorf(http.StatusBadRequest, "invalid", "%s: %s", field, fmt.Sprintf(format, args...))
}

// maxBody bounds a request body; the API's bodies are small JSON objects.
const maxBody = 64 << 10

// handle serves h, answering any error it returns with writeError.
func (c *Console) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			c.writeError(w, r, err)
		}
	})
}

// writeError is the one place errors become HTTP answers:
// {"error": {"code", "message"}} with the status that fits. Errors the API
// did not anticipate are logged and answered without their detail.
func (c *Console) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if reason, ok := store.Unavailable(err); ok { // disk full, locked: retry later, not a bug
		c.log.Warn("console database unavailable", "method", r.Method, "path", r.URL.Path, "error", err)
		err = &apiError{status: http.StatusServiceUnavailable, code: "unavailable", msg: reason}
	}
	var ae *apiError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, store.ErrNotFound):
		ae = &apiError{status: http.StatusNotFound, code: "not_found", msg: err.Error()}
	case errors.Is(err, store.ErrConflict):
		ae = &apiError{status: http.StatusConflict, code: "conflict", msg: err.Error() + "; read it again and redo the change"}
	case errors.As(err, &tooBig):
		ae = &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: fmt.Sprintf("the body is over %d bytes", tooBig.Limit)}
	default:
		c.log.Error("console API request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		ae = &apiError{status: http.StatusInternalServerError, code: "internal", msg: "the console failed to answer; its log says why"}
	}
	writeJSON(w, ae.status, map[string]any{"error": errorBody{ae.code, ae.msg, ae.usage}})
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Usage   *usage `json:"usage,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decode reads r's JSON body into v: at most maxBody bytes, one object,
// no unknown fields (a misspelt field is named, not ignored).
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		if dec.More() {
			return invalid("body", "one JSON object expected, more followed")
		}
		return nil
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return invalid("body", "a JSON object is required")
	case errors.As(err, &typ):
		return invalid(typ.Field, "expected a %s", typ.Type)
	case errors.As(err, &syntax):
		return invalid("body", "not JSON: %v", err)
	}
	return invalid("body", "%v", err) // such as: json: unknown field "nmae"
}
