package agent

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/mcpserver"
)

// Message is one message either way on /ws. A request's type is health,
// clusters or kubectl; its answers carry its id with type result or error,
// or progress, stream_chunk and a final stream_end.
type Message struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Answer types.
const (
	TypeResult      = "result"
	TypeError       = "error"
	TypeProgress    = "progress"
	TypeStreamChunk = "stream_chunk"
	TypeStreamEnd   = "stream_end"
)

// ErrorPayload is the payload of an error answer.
type ErrorPayload struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

const (
	maxMessage = 1 << 20
	writeWait  = 10 * time.Second
	// inFlight bounds the requests one socket runs at once; more wait.
	inFlight = 4
)

// conn is one socket: its in-process MCP session, the commands previewed on
// it (which alone may be confirmed), and one writer at a time.
type conn struct {
	agent     *Agent
	ws        *websocket.Conn
	session   *mcp.ClientSession
	kubectlOK bool // the guarded kubectl tool is served: decided once, at start (kubectl on PATH)

	writeM sync.Mutex

	previewM  sync.Mutex
	previewed map[string]bool
}

func (a *Agent) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := a.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer ws.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	cs, err := mcpserver.Connect(ctx, a.opts.MCP, nil, "kubemcp-agent", nil)
	if err != nil {
		a.log.Error("agent: in-process MCP session failed", "error", err)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "kubemcp is not available"), time.Now().Add(writeWait))
		return
	}
	defer cs.Close()
	kubectl, err := hasKubectl(ctx, cs)
	if err != nil {
		a.log.Error("agent: listing kubemcp's tools failed", "error", err)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "kubemcp is not available"), time.Now().Add(writeWait))
		return
	}
	c := &conn{agent: a, ws: ws, session: cs, kubectlOK: kubectl, previewed: map[string]bool{}}
	c.readLoop(ctx)
}

// readLoop runs each request as it comes, up to inFlight at once, until the
// socket closes; requests still running then end with the context.
func (c *conn) readLoop(ctx context.Context) {
	c.ws.SetReadLimit(maxMessage)
	slots := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		var m Message
		if err := c.ws.ReadJSON(&m); err != nil {
			var syntax *json.SyntaxError
			if errors.As(err, &syntax) {
				c.send("", TypeError, ErrorPayload{"bad_message", "not a JSON message {id, type, payload}: " + err.Error()})
				continue
			}
			return
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			c.handle(ctx, m)
		})
	}
}

// handle answers one request.
func (c *conn) handle(ctx context.Context, m Message) {
	if m.ID == "" {
		c.send("", TypeError, ErrorPayload{"bad_message", "a request needs an id, which its answers carry"})
		return
	}
	var err error
	switch m.Type {
	case "health":
		err = c.health(ctx, m)
	case "clusters":
		err = c.clusters(ctx, m)
	case "kubectl":
		err = c.kubectl(ctx, m)
	default:
		err = &requestError{"unknown_type", "unknown message type " + quote(m.Type) + "; the agent answers health, clusters and kubectl"}
	}
	if err != nil {
		c.fail(m, err)
	}
}

// requestError is an error the caller can act on, told in its own words;
// any other is a failure of the agent's, logged and told briefly.
type requestError struct{ code, msg string }

func (e *requestError) Error() string { return e.msg }

func (c *conn) fail(m Message, err error) {
	var re *requestError
	if !errors.As(err, &re) {
		c.agent.log.Error("agent request failed", "type", m.Type, "error", err)
		re = &requestError{"internal", "the agent failed: " + err.Error()}
	}
	c.answer(m, TypeError, ErrorPayload{re.code, re.msg})
}

// answer sends an answer to request m.
func (c *conn) answer(m Message, typ string, payload any) { c.send(m.ID, typ, payload) }

func (c *conn) send(id, typ string, payload any) {
	raw, err := json.Marshal(payload)
	if err != nil {
		raw, _ = json.Marshal(ErrorPayload{"internal", err.Error()})
		typ = TypeError
	}
	c.writeM.Lock()
	defer c.writeM.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteJSON(Message{ID: id, Type: typ, Payload: raw}); err != nil {
		c.ws.Close() // the reader then ends
	}
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }
