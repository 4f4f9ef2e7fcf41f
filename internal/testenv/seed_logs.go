package testenv

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
)

// setLogs gives a seeded pod's container the log its state suggests. The
// texts are stable for a pod name, so tests can look for lines in them.
func (s *seeder) setLogs(w workload, pod string) {
	k := s.env.Kubelet
	rng := rand.New(rand.NewPCG(nameSeed(pod), 1))
	switch {
	case w.state == stateCrashLoop:
		k.SetLogs(w.ns, pod, w.name, crashLog())
		k.SetPreviousLogs(w.ns, pod, w.name, crashLog())
	case w.state == stateOOMKilled:
		k.SetLogs(w.ns, pod, w.name, fluentLog(rng, 12, false))
		k.SetPreviousLogs(w.ns, pod, w.name, fluentLog(rng, 30, true))
	case w.state != stateRunning:
		// Never started: the kubelet has no log for it.
	case w.name == DeploymentFrontend:
		k.SetLogs(w.ns, pod, w.name, accessLog(rng, 40))
	default:
		k.SetLogs(w.ns, pod, w.name, serviceLog(rng, w.name, 30))
	}
}

func nameSeed(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// stamps returns n times one second apart ending now, matching the timestamps
// the fake kubelet gives the lines.
func stamps(n int) []time.Time {
	now := time.Now().UTC()
	out := make([]time.Time, n)
	for i := range out {
		out[i] = now.Add(-time.Duration(n-1-i) * time.Second)
	}
	return out
}

func accessLog(rng *rand.Rand, n int) []string {
	paths := []string{"/", "/products", "/products/42", "/api/cart", "/api/cart/items", "/static/app.js", "/static/app.css", "/healthz"}
	agents := []string{"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "Mozilla/5.0 (Macintosh) Safari/605.1.15", "kube-probe/1.34", "curl/8.5.0"}
	lines := make([]string, 0, n+3)
	lines = append(lines,
		"/docker-entrypoint.sh: Configuration complete; ready for start up",
		"2026/11/21 10:00:00 [notice] 1#1: nginx/1.27.3",
		"2026/11/21 10:00:00 [notice] 1#1: start worker processes")
	for _, at := range stamps(n) {
		status, size := 200, 200+rng.IntN(9000)
		if rng.IntN(12) == 0 {
			status, size = 404, 153
		}
		method := "GET"
		path := paths[rng.IntN(len(paths))]
		if strings.HasPrefix(path, "/api/cart") && rng.IntN(2) == 0 {
			method = "POST"
		}
		lines = append(lines, fmt.Sprintf(`10.244.0.%d - - [%s] "%s %s HTTP/1.1" %d %d "-" "%s"`,
			2+rng.IntN(200), at.Format("02/Jan/2006:15:04:05 -0700"), method, path, status, size, agents[rng.IntN(len(agents))]))
	}
	return lines
}

func serviceLog(rng *rand.Rand, service string, n int) []string {
	routes := []string{"GET /cart/{id}", "POST /cart/{id}/items", "DELETE /cart/{id}/items/{sku}", "GET /healthz"}
	lines := []string{fmt.Sprintf(`{"level":"info","msg":"starting %s","version":"1.4.2","listen":":8080"}`, service)}
	for _, at := range stamps(n) {
		lines = append(lines, fmt.Sprintf(`{"level":"info","ts":%q,"msg":"request","route":%q,"status":200,"duration_ms":%d}`,
			at.Format(time.RFC3339Nano), routes[rng.IntN(len(routes))], 1+rng.IntN(40)))
	}
	return lines
}

func crashLog() []string {
	return []string{
		`{"level":"info","msg":"starting payments-api","version":"2.7.0"}`,
		`{"level":"info","msg":"connecting to database","host":"postgres.payments.svc:5432"}`,
		`{"level":"info","msg":"database connection established"}`,
		`{"level":"warn","msg":"STRIPE_WEBHOOK_SECRET is not set; provider \"stripe\" left unconfigured"}`,
		`{"level":"info","msg":"registering payment providers","count":3}`,
		"panic: runtime error: invalid memory address or nil pointer dereference",
		"[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x7a4c3e]",
		"",
		"goroutine 1 [running]:",
		"github.com/kubemcp-demo/payments/internal/providers.(*Stripe).Register(0x0, 0xc0001a4000)",
		"\t/src/internal/providers/stripe.go:88 +0x3e",
		"github.com/kubemcp-demo/payments/internal/providers.RegisterAll(...)",
		"\t/src/internal/providers/registry.go:41",
		"main.main()",
		"\t/src/cmd/api/main.go:57 +0x1c5",
	}
}

// fluentLog is a log shipper's output; oom ends it with buffers growing
// towards the 64Mi limit, as before an OOM kill.
func fluentLog(rng *rand.Rand, n int, oom bool) []string {
	lines := []string{"Fluent Bit v3.2.2", "[info] [input:tail:tail.0] initializing", "[info] [output:forward:forward.0] worker #0 started"}
	buf := 8
	for i := range n {
		if oom && i > n/2 {
			buf += 3 + rng.IntN(4)
			lines = append(lines, fmt.Sprintf("[warn] [input:tail:tail.0] mem buf overlimit: %dMiB in chunks, retrying flush to forward.0", buf))
			continue
		}
		lines = append(lines, fmt.Sprintf("[info] [output:forward:forward.0] flushed %d records (%d bytes)", 50+rng.IntN(400), 4000+rng.IntN(60000)))
	}
	return lines
}
