// Package aitest is a small OpenAI-compatible chat-completions server for
// tests, whose answers a test scripts turn by turn, and by what is asked
// for the requests that come at any time. It is a fake of the
// model only: the HTTP API (POST /chat/completions, its JSON) is the
// contract, and the code under test talks to it with the real openai-go
// client, as it would to any provider.
package aitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Request is what the client sent, as far as tests look.
type Request struct {
	Authorization string
	Model         string    `json:"model"`
	Messages      []Message `json:"messages"`
	Tools         []struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tools"`
}

// Message is one message of a request's conversation.
type Message struct {
	Role       string `json:"role"`
	Content    any    `json:"content"` // a string, or parts
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// Text is the message's text, whichever way it was sent.
func (m Message) Text() string {
	if s, ok := m.Content.(string); ok {
		return s
	}
	b, _ := json.Marshal(m.Content)
	return string(b)
}

// Tool names the tools the request offered.
func (r Request) Tool(name string) bool {
	for _, t := range r.Tools {
		if t.Function.Name == name {
			return true
		}
	}
	return false
}

// Reply is one scripted answer: text, or calls of tools (name and JSON
// arguments), and the tokens it reports it used.
type Reply struct {
	Text   string
	Calls  [][2]string
	Tokens int64
}

// Turn answers one request; it may look at what the client sent.
type Turn func(Request) Reply

// Server is the scripted model.
type Server struct {
	URL string // base URL, as a provider's: http://127.0.0.1:PORT/v1

	mu       sync.Mutex
	turns    []Turn
	next     int // the next of turns
	routes   []route
	requests []Request
}

// route answers the requests match accepts, outside the scripted turns.
type route struct {
	match func(Request) bool
	turn  Turn
}

// Start serves turns, in order, until the test ends; a request beyond them
// is answered 500 and fails the test.
func Start(t *testing.T, turns ...Turn) *Server {
	s := &Server{turns: turns}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serve(t, w, r) }))
	t.Cleanup(hs.Close)
	s.URL = hs.URL + "/v1"
	return s
}

// Answer has turn answer every request match accepts, whenever it comes,
// without using up a scripted turn: for requests that may come between a
// conversation's turns (a ranking asked while a mission runs). Routes are
// tried in the order they were added, before the turns.
func (s *Server) Answer(match func(Request) bool, turn Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes = append(s.routes, route{match, turn})
}

// Requests are the requests served so far, routed or not.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(t *testing.T, w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "only POST /v1/chat/completions", http.StatusNotFound)
		return
	}
	var req Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Authorization = r.Header.Get("Authorization")
	s.mu.Lock()
	n := len(s.requests)
	s.requests = append(s.requests, req)
	turn := s.turnFor(req)
	s.mu.Unlock()
	if turn == nil {
		t.Errorf("the model was asked a turn more than the %d scripted", len(s.turns))
		http.Error(w, "no more scripted turns", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(completion(n, turn(req)))
}

// turnFor is the route that accepts req, or else the next scripted turn;
// nil when there is none. s.mu is held.
func (s *Server) turnFor(req Request) Turn {
	for _, r := range s.routes {
		if r.match(req) {
			return r.turn
		}
	}
	if s.next >= len(s.turns) {
		return nil
	}
	s.next++
	return s.turns[s.next-1]
}

// completion is a chat.completion object as the API answers it.
func completion(n int, r Reply) map[string]any {
	msg := map[string]any{"role": "assistant", "content": r.Text, "refusal": nil}
	finish := "stop"
	if len(r.Calls) > 0 {
		var calls []map[string]any
		for i, c := range r.Calls {
			calls = append(calls, map[string]any{"id": fmt.Sprintf("call_%d_%d", n, i), "type": "function",
				"function": map[string]any{"name": c[0], "arguments": c[1]}})
		}
		msg["tool_calls"], msg["content"], finish = calls, nil, "tool_calls"
	}
	return map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion", "created": 1, "model": "scripted",
		"choices": []map[string]any{{"index": 0, "message": msg, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": r.Tokens / 2, "completion_tokens": r.Tokens - r.Tokens/2, "total_tokens": r.Tokens},
	}
}
