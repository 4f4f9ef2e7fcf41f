package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

// tsLive is the last line live.mjs prints.
type tsLive struct {
	ProtocolVersion string   `json:"protocolVersion"`
	Prompts         []string `json:"prompts"`
	PromptText      string   `json:"promptText"`
	Completion      []string `json:"completion"`
	Templates       []string `json:"templates"`
	Reads           []struct {
		URI        string `json:"uri"`
		ContentURI string `json:"contentUri"`
		MIMEType   string `json:"mimeType"`
		Text       string `json:"text"`
		Error      *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"reads"`
	Updated *struct {
		URI string `json:"uri"`
		MS  int64  `json:"ms"`
	} `json:"updated"`
	AfterUnsubscribe []string `json:"afterUnsubscribe"`
	Error            *string  `json:"error"`
}

// TestNodeLive drives the prompts and live resources through the TypeScript
// SDK, against the real binary over stdio and over streamable HTTP.
func TestNodeLive(t *testing.T) {
	t.Run("stdio", func(t *testing.T) {
		runTSLive(t, "--stdio", "--", kubemcpBinary(t), "serve", "--kubeconfig", env.Kubeconfig)
	})
	t.Run("http", func(t *testing.T) {
		runTSLive(t, "--url", startHTTP(t, env.Kubeconfig))
	})
}

// runTSLive runs live.mjs against target (--url URL or --stdio -- command),
// patching the ConfigMap it subscribes to when it says it is ready.
func runTSLive(t *testing.T, target ...string) {
	ns := env.Namespace(t, "node-live")
	configMap(t, ns, "watched")
	uri := liveURI(ns, "configmaps", "watched")
	args := []string{filepath.Join(nodeDir(t), "live.mjs"), "--pod", testenv.PodCrashLoop, "--namespace", testenv.NamespacePayments,
		"--complete", "sh", "--subscribe", uri}
	for _, r := range liveReads {
		args = append(args, "--read", r.uri)
	}
	got := handshake(t, exec.CommandContext(testContext(t), nodeBinary(t), append(args, target...)...), func(patch int) {
		touch(t, ns, "watched", strconv.Itoa(patch))
	})
	checkTSLive(t, got, uri)
}

// handshake runs live.mjs, calls patch when it reports "subscribed" (1) and
// "unsubscribed" (2) and answers "patched" each time, and returns its result.
func handshake(t *testing.T, cmd *exec.Cmd, patch func(n int)) tsLive {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	res, lines, readErr := readLive(t, stdout, stdin, patch)
	stdin.Close()
	if err := cmd.Wait(); err != nil || readErr != nil || res == nil || res.Error != nil {
		t.Fatalf("live.mjs: exit %v, read %v, result %v\nstdout:\n%s\nstderr:\n%s", err, readErr, res, strings.Join(lines, "\n"), stderr.String())
	}
	return *res
}

// readLive reads live.mjs's JSON lines until its result.
func readLive(t *testing.T, stdout io.Reader, stdin io.Writer, patch func(n int)) (*tsLive, []string, error) {
	t.Helper()
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		var ev struct {
			Event string `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, lines, err
		}
		switch ev.Event {
		case "subscribed", "unsubscribed":
			patch(map[string]int{"subscribed": 1, "unsubscribed": 2}[ev.Event])
			if _, err := io.WriteString(stdin, "patched\n"); err != nil {
				return nil, lines, err
			}
		case "result":
			var res tsLive
			err := json.Unmarshal(sc.Bytes(), &res)
			return &res, lines, err
		}
	}
	return nil, lines, sc.Err()
}

func checkTSLive(t *testing.T, got tsLive, uri string) {
	t.Helper()
	if got.ProtocolVersion != "2025-11-25" {
		t.Errorf("negotiated %q, want 2025-11-25", got.ProtocolVersion)
	}
	slices.Sort(got.Prompts)
	if want := slices.Sorted(slices.Values(livePrompts)); !slices.Equal(got.Prompts, want) {
		t.Errorf("prompts/list: %v, want %v", got.Prompts, want)
	}
	for _, w := range []string{testenv.PodCrashLoop, `"namespace":"payments"`, "pods_logs"} {
		if !strings.Contains(got.PromptText, w) {
			t.Errorf("troubleshoot_pod lacks %q:\n%s", w, got.PromptText)
		}
	}
	if !slices.Equal(got.Completion, []string{testenv.NamespaceShop}) {
		t.Errorf("completion of namespace %q: %v, want [shop]", "sh", got.Completion)
	}
	for _, w := range liveTemplates {
		if !slices.Contains(got.Templates, w) {
			t.Errorf("resources/templates/list %v lacks %s", got.Templates, w)
		}
	}
	checkTSReads(t, got)
	switch {
	case got.Updated == nil:
		t.Errorf("no notifications/resources/updated for %s within 2 s of the patch", uri)
	case got.Updated.URI != uri:
		t.Errorf("notified about %s, want %s", got.Updated.URI, uri)
	default:
		t.Logf("notified %d ms after the patch", got.Updated.MS)
	}
	if len(got.AfterUnsubscribe) > 0 {
		t.Errorf("notifications after unsubscribing: %v", got.AfterUnsubscribe)
	}
}

func checkTSReads(t *testing.T, got tsLive) {
	t.Helper()
	if len(got.Reads) != len(liveReads) {
		t.Fatalf("%d reads, want %d", len(got.Reads), len(liveReads))
	}
	for i, want := range liveReads {
		r := got.Reads[i]
		text := r.Text
		switch {
		case want.isError && r.Error == nil:
			t.Errorf("%s: read, want a refusal", want.uri)
		case want.isError:
			text = r.Error.Message
		case r.Error != nil:
			t.Errorf("%s: %s", want.uri, r.Error.Message)
		case r.ContentURI != want.uri || r.MIMEType != "application/yaml":
			t.Errorf("%s: contents at %s as %s, want the URI read as application/yaml", want.uri, r.ContentURI, r.MIMEType)
		}
		checkText(t, want.uri, text, want.want, want.unwanted)
	}
}
