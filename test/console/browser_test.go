package console

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubemcp/kubemcp/internal/testenv"
)

const chromium = "/usr/bin/chromium"

// update writes the screenshots to docs/screenshots, as -update does for
// golden files; without it they go to a temporary folder, so a test run
// leaves the tree as it was.
var update = flag.Bool("update", false, "save the screenshots in docs/screenshots")

// specs narrows TestBrowser to the spec files whose names match, as
// Playwright's own filter does (-specs states); the checks of the whole run
// (the missions' objects) are then left out.
var specs = flag.String("specs", "", "run only the web/e2e spec files matching this")

// TestBrowser runs the Playwright specs in web/e2e against a real console
// on two clusters, one down, with a scripted AI provider; the specs take a
// screenshot of each page. It fails when any spec fails, or when the
// missions the specs approve and refuse left the cluster otherwise than
// they say.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no %s: run `make browser` (scripts/install-chromium.sh) to install Debian's Chromium", chromium)
	}
	bin := buildConsole(t)
	missionNS := env.Namespace(t, "browser-mission")
	t.Setenv("KUBEMCP_TEST_AI_KEY", "sk-browser-test")
	url := startConsole(t, bin, twoClusters(t),
		"--ai-base-url", scriptedModel(t, missionNS).URL, "--ai-model", "scripted-1", "--ai-api-key-env", "KUBEMCP_TEST_AI_KEY")
	warn(t, "KubemcpBrowserTest", "the browser test's own warning")
	serveMetrics(t)
	root := repo(t)
	shots := t.TempDir()
	if *update {
		shots = filepath.Join(root, "docs", "screenshots")
	}
	out := run(t, filepath.Join(root, "web"), []string{
		"CONSOLE_URL=" + url,
		"CHROMIUM=" + chromium,
		"SCREENSHOTS=" + shots,
		"LIVE_POD_URL=" + livePodControl(t),
		"MISSION_NAMESPACE=" + missionNS,
	}, node(t), append([]string{"node_modules/@playwright/test/cli.js", "test"}, strings.Fields(*specs)...)...)
	t.Log(out)
	if *specs == "" {
		missionApplied(t, missionNS)
	}
}

// TestComponents runs the web app's Vitest tests.
func TestComponents(t *testing.T) {
	root := repo(t)
	run(t, root, nil, "scripts/build-web.sh") // installs web/node_modules
	t.Log(run(t, filepath.Join(root, "web"), []string{"NO_COLOR=1"}, node(t), "node_modules/vitest/vitest.mjs", "run"))
}

// serveMetrics turns on metrics.k8s.io in the main cluster, with usage for
// its node and the shop's frontend pods, for the usage cards to show.
func serveMetrics(t *testing.T) {
	t.Helper()
	if err := env.EnableMetrics(t.Context()); err != nil {
		t.Fatal(err)
	}
	pods, err := env.Clientset("admin").CoreV1().Pods(testenv.NamespaceShop).List(t.Context(), metav1.ListOptions{LabelSelector: "app=" + testenv.DeploymentFrontend})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pods.Items {
		env.Metrics.SetPodUsage(p.Namespace, p.Name, testenv.DeploymentFrontend, fmt.Sprintf("%dm", 100*(i+1)), fmt.Sprintf("%dMi", 64*(i+1)))
	}
	env.Metrics.SetNodeUsage(env.NodeName, "1500m", "6Gi")
}

// warn records a Warning event in the main cluster for the events page to
// find.
func warn(t *testing.T, reason, message string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := recordWarning(ctx, reason, message); err != nil {
		t.Fatal(err)
	}
}

func recordWarning(ctx context.Context, reason, message string) error {
	now := metav1.NewTime(time.Now())
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: "browser-", Namespace: "default"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "browser-test", Namespace: "default"},
		Type:           corev1.EventTypeWarning, Reason: reason, Message: message, Count: 1,
		FirstTimestamp: now, LastTimestamp: now, Source: corev1.EventSource{Component: "browser-test"},
	}
	_, err := env.Clientset("admin").CoreV1().Events("default").Create(ctx, ev, metav1.CreateOptions{})
	return err
}
