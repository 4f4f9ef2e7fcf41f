package testenv

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// APIServerMetric sums the apiserver's own metric name, read from its
// /metrics as the admin, over the series whose labels hold every one of
// labels, each written as the exposition writes it (`verb="WATCH"`).
func (e *Env) APIServerMetric(t testing.TB, name string, labels ...string) float64 {
	t.Helper()
	raw, err := e.Clientset("admin").CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for line := range strings.Lines(string(raw)) {
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok || !containsAll(rest, labels) {
			continue
		}
		var v float64
		fields := strings.Fields(rest)
		if _, err := fmt.Sscan(fields[len(fields)-1], &v); err == nil {
			total += v
		}
	}
	return total
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
