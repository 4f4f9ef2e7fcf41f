package app

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/transport"
)

// overSSE opens a legacy SSE session, initializes it and posts m to it. The
// answer is the POST's, with the messages of the event stream up to the
// response to m when the POST was taken.
func (r *fuzzRig) overSSE(t testing.TB, m message) answer {
	ctx, cancel := context.WithTimeout(context.Background(), answerWithin)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.base+transport.PathSSE, nil)
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("opening an SSE session: %v", err)
	}
	defer resp.Body.Close()
	events := dataLines(ctx, resp.Body)
	endpoint := r.base + <-events
	init := encode("initialize", `{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"fuzz","version":"v0"}}`, "0")
	if a := r.postTo(t, endpoint, init); a.status != http.StatusAccepted || until(events, newMessage("initialize", "", "0")) == nil {
		t.Fatalf("initialize over SSE: HTTP %d %s", a.status, a.body)
	}
	if a := r.postTo(t, endpoint, encode("notifications/initialized", "", "")); a.status != http.StatusAccepted {
		t.Fatalf("notifications/initialized over SSE: HTTP %d %s", a.status, a.body)
	}
	a := r.postTo(t, endpoint, m.body)
	if a.status == http.StatusAccepted && m.call() {
		a.messages = until(events, m)
	}
	return a
}

func (r *fuzzRig) postTo(t testing.TB, endpoint string, body []byte) answer {
	a, _ := r.postSession(t, endpoint, body, http.Header{})
	return a
}

// dataLines sends the data of each event of an event stream, until it or
// ctx ends.
func dataLines(ctx context.Context, body io.Reader) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(body)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			select {
			case lines <- data:
			case <-ctx.Done():
				return
			}
		}
	}()
	return lines
}

// until returns the messages of events up to the response to m, or nil when
// the stream ends first.
func until(events <-chan string, m message) []json.RawMessage {
	var msgs []json.RawMessage
	for data := range events {
		msgs = append(msgs, json.RawMessage(data))
		if slices.ContainsFunc(msgs[len(msgs)-1:], answers(m)) {
			return msgs
		}
	}
	return nil
}
