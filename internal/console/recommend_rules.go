package console

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Severities of a recommendation, most urgent first, as the diagnostics
// tools name them.
const (
	sevCritical = "critical"
	sevWarning  = "warning"
	sevInfo     = "info"
)

func sevRank(s string) int {
	switch s {
	case sevCritical:
		return 0
	case sevWarning:
		return 1
	}
	return 2
}

// worse is the more urgent of two severities.
func worse(a, b string) string {
	if sevRank(b) < sevRank(a) {
		return b
	}
	return a
}

// What the rules read of the tools' structured results.
type (
	issueFinding struct {
		Severity, Kind, Namespace, Name, Reason string
	}
	warningEvent struct {
		Namespace, Reason, Object string
		Count                     int
	}
	securityFinding struct {
		Severity, Namespace, Object, Check string
	}
)

// recRules sums up what one cluster's tools found into card
// recommendations: the rules that always run, with or without a model.
type recRules struct {
	cluster, namespace string
}

func (r recRules) card(typ string) recCard {
	cfg, _ := json.Marshal(scopeConfig{Cluster: r.cluster, Namespace: r.namespace})
	if typ == "nodes" { // nodes are not in a namespace
		cfg, _ = json.Marshal(clustersConfig{Cluster: r.cluster})
	}
	return recCard{Type: typ, Config: cfg}
}

// issues recommends the issues card for failing workloads, and the nodes
// card for sick nodes (find_issues reports both).
func (r recRules) issues(fs []issueFinding) []recommendation {
	var work, nodes []issueFinding
	for _, f := range fs {
		if f.Severity == sevInfo {
			continue
		}
		if f.Kind == "Node" {
			nodes = append(nodes, f)
		} else {
			work = append(work, f)
		}
	}
	var out []recommendation
	if len(work) > 0 {
		out = append(out, r.rec("issues", worstIssue(work), fmt.Sprintf("%s in %s: %s", count(len(work), "issue"), r.where(), listed(work, func(f issueFinding) string {
			return strings.Trim(f.Namespace+"/"+strings.ToLower(f.Kind)+"/"+f.Name, "/") + " " + f.Reason
		}))))
	}
	if len(nodes) > 0 {
		out = append(out, r.rec("nodes", worstIssue(nodes), fmt.Sprintf("%s not well in cluster %s: %s", count(len(nodes), "node"), r.cluster, listed(nodes, func(f issueFinding) string {
			return f.Name + " " + f.Reason
		}))))
	}
	return out
}

func worstIssue(fs []issueFinding) string {
	sev := sevInfo
	for _, f := range fs {
		sev = worse(sev, f.Severity)
	}
	return sev
}

// warnings recommends the events card when there are warning events,
// naming the most frequent reasons.
func (r recRules) warnings(es []warningEvent) []recommendation {
	if len(es) == 0 {
		return nil
	}
	byReason := map[string]int{}
	for _, e := range es {
		byReason[e.Reason] += max(e.Count, 1)
	}
	reasons := slices.SortedFunc(maps.Keys(byReason), func(a, b string) int { return cmp.Or(byReason[b]-byReason[a], strings.Compare(a, b)) })
	return []recommendation{r.rec("events", sevWarning, fmt.Sprintf("%s in %s: %s", count(len(es), "warning event"), r.where(), listed(reasons, func(reason string) string {
		return fmt.Sprintf("%s ×%d", reason, byReason[reason])
	})))}
}

// security recommends the security card for unsafe settings worse than
// informational.
func (r recRules) security(fs []securityFinding) []recommendation {
	var bad []securityFinding
	sev := sevInfo
	for _, f := range fs {
		if f.Severity != sevInfo {
			bad = append(bad, f)
			sev = worse(sev, f.Severity)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return []recommendation{r.rec("security", sev, fmt.Sprintf("%s in %s: %s", count(len(bad), "unsafe setting"), r.where(), listed(bad, func(f securityFinding) string {
		return f.Check + " on " + f.Namespace + "/" + f.Object
	})))}
}

func (r recRules) rec(typ, severity, reason string) recommendation {
	return recommendation{Card: r.card(typ), Severity: severity, Reason: reason}
}

func (r recRules) where() string {
	if r.namespace != "" {
		return fmt.Sprintf("namespace %s of cluster %s", r.namespace, r.cluster)
	}
	return "cluster " + r.cluster
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// listed names the first three of xs, and how many more there are.
func listed[T any](xs []T, name func(T) string) string {
	var parts []string
	for _, x := range xs[:min(3, len(xs))] {
		parts = append(parts, name(x))
	}
	s := strings.Join(parts, "; ")
	if len(xs) > 3 {
		s += fmt.Sprintf("; and %d more", len(xs)-3)
	}
	return s
}
