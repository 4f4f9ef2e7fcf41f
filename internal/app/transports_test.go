package app

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// TestServeStdioBesideHTTP: `kubemcp serve --stdio --listen` is one process
// serving the same server over both: a stdio client and an HTTP client list
// and call tools at once, and stdin closing (the client that started
// kubemcp is gone) ends the whole process, HTTP with it.
func TestServeStdioBesideHTTP(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var log testenv.SyncBuffer
	line, stop := startServeOn(t, inR, outW, &log, "--stdio", "--listen", "127.0.0.1:0", "--kubeconfig", offlineKubeconfig(t))
	ctx := t.Context()
	stdio, err := mcp.NewClient(&mcp.Implementation{Name: "stdio"}, nil).Connect(ctx, &mcp.IOTransport{Reader: outR, Writer: inW}, nil)
	if err != nil {
		t.Fatal(err)
	}
	web := connectAs(t, line, "")
	var wg sync.WaitGroup
	for name, cs := range map[string]*mcp.ClientSession{"stdio": stdio, "http": web} {
		wg.Go(func() {
			for range 5 {
				res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "clusters_list", Arguments: map[string]any{}})
				if err != nil || res.IsError || !strings.Contains(res.Content[0].(*mcp.TextContent).Text, "offline") {
					t.Errorf("%s: clusters_list: %v %+v", name, err, res)
					return
				}
			}
		})
	}
	wg.Wait()
	one, _ := stdio.ListTools(ctx, nil)
	other, _ := web.ListTools(ctx, nil)
	if one == nil || other == nil || len(one.Tools) == 0 || len(one.Tools) != len(other.Tools) {
		t.Errorf("stdio and HTTP serve different tools")
	}

	inW.Close()
	done := make(chan error, 1)
	go func() { done <- stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after stdin closed: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stdin closed, and serve still runs 10s later")
	}
	if _, err := http.Get(strings.Fields(strings.SplitN(line, "serving MCP at ", 2)[1])[0]); err == nil {
		t.Error("HTTP still answers after stdin closed")
	}
}

// TestServeConnect: `kubemcp serve --connect wss://...` dials the hub (here
// a WebSocket listener over TLS trusting the CA file, that wants the bearer
// in the token file) and serves MCP to it; the hub is the client. When the
// hub restarts, kubemcp dials again with the token file's new content.
func TestServeConnect(t *testing.T) {
	pair := testenv.NewTLSPair(t)
	dir := t.TempDir()
	caFile, tokenFile := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "token")
	testenv.ReplaceFile(t, caFile, pair.CA)
	testenv.ReplaceFile(t, tokenFile, []byte("first\n"))
	want := make(chan string, 1)
	want <- "first"
	sockets := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{Subprotocols: []string{"mcp"}}
	hub := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := <-want
		want <- token
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		if ws, err := up.Upgrade(w, r, nil); err == nil {
			sockets <- ws
		}
	}))
	cert, err := tls.X509KeyPair(pair.Cert, pair.Key)
	if err != nil {
		t.Fatal(err)
	}
	hub.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	hub.StartTLS()
	defer hub.Close()

	var log testenv.SyncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--kubeconfig", offlineKubeconfig(t), "--connect", "wss" + strings.TrimPrefix(hub.URL, "https") + "/hub",
			"--connect-token-file", tokenFile, "--connect-ca", caFile},
			Streams{In: io.NopCloser(strings.NewReader("")), Out: nopCloser{io.Discard}, Err: &log})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	ws := acceptHub(t, sockets)
	hubSession(t, ws)

	testenv.ReplaceFile(t, tokenFile, []byte("second\n"))
	<-want
	want <- "second"
	dropped := time.Now()
	ws.Close() // the hub restarts
	ws = acceptHub(t, sockets)
	t.Logf("redialled %s after the hub dropped the socket", time.Since(dropped).Round(time.Millisecond))
	hubSession(t, ws)
	if strings.Contains(log.String(), "second") || strings.Contains(log.String(), "first") {
		t.Errorf("the token reached the log:\n%s", log.String())
	}
}

func acceptHub(t *testing.T, sockets <-chan *websocket.Conn) *websocket.Conn {
	t.Helper()
	select {
	case ws := <-sockets:
		return ws
	case <-time.After(10 * time.Second):
		t.Fatal("kubemcp did not dial the hub within 10s")
	}
	return nil
}

// hubSession is the hub acting as MCP client over ws with raw JSON-RPC
// frames, one message per text frame: initialize, tools/list, tools/call.
func hubSession(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	rpc(t, ws, 1, "initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "hub", "version": "v"}})
	if err := ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"}); err != nil {
		t.Fatal(err)
	}
	var list mcp.ListToolsResult
	json.Unmarshal(rpc(t, ws, 2, "tools/list", map[string]any{}), &list)
	if len(list.Tools) < 10 {
		t.Errorf("tools/list over the dialled socket: %d tools", len(list.Tools))
	}
	var res struct {
		IsError bool              `json:"isError"`
		Content []mcp.TextContent `json:"content"`
	}
	json.Unmarshal(rpc(t, ws, 3, "tools/call", map[string]any{"name": "clusters_list", "arguments": map[string]any{}}), &res)
	if res.IsError || len(res.Content) == 0 || !strings.Contains(res.Content[0].Text, "offline") {
		t.Errorf("tools/call over the dialled socket: %+v", res)
	}
}

// rpc sends one request and returns the result of the answer with its id.
func rpc(t *testing.T, ws *websocket.Conn, id int, method string, params any) json.RawMessage {
	t.Helper()
	if err := ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var resp struct {
			ID     *int            `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := ws.ReadJSON(&resp); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if resp.ID != nil && *resp.ID == id {
			if resp.Error != nil {
				t.Fatalf("%s: %s", method, resp.Error)
			}
			return resp.Result
		}
	}
}
