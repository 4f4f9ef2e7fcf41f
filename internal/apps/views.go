package apps

import (
	"embed"
	"fmt"
	"strings"
)

// The views' sources: plain HTML, CSS and JavaScript that need no build. Each
// view is one page made of the shared parts and its own script (see page), so
// that it runs under a host's default Content-Security-Policy, which allows
// no network at all.
//
//go:embed views
var sources embed.FS

// view is one card: the tool whose answer it shows and the page that shows it.
type view struct {
	name  string // the resource is ui://kubemcp/<name>; the script views/<name>.js
	tool  string
	title string
}

// catalog is every view, in the order resources/list gives them.
var catalog = []view{
	{"cluster-health", "cluster_health", "Cluster health"},
	{"pod-issues", "find_issues", "Issues"},
	{"node-use", "nodes_top", "Node use"},
	{"namespace-overview", "namespace_overview", "Namespace overview"},
}

func (v view) uri() string { return "ui://kubemcp/" + v.name }

// page is the view's self-contained HTML: the shared style and script
// inlined, then the view's own script, which calls kubemcp.render.
func (v view) page() string {
	return fmt.Sprintf(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s · kubemcp</title>
<style>
%s</style>
</head>
<body>
<header><h1>%s</h1><span id="asof" aria-live="polite"></span><button id="refresh" type="button" disabled>Refresh</button></header>
<main id="view" aria-live="polite"><p class="muted">Waiting for the tool's answer…</p></main>
<script>
%s
%s</script>
</body>
</html>
`, v.title, source("kubemcp.css"), v.title, source("kubemcp.js"), source(v.name+".js"))
}

// source is one embedded file. A missing one is a programming error that
// every test of the package catches.
func source(name string) string {
	b, err := sources.ReadFile("views/" + name)
	if err != nil {
		panic(fmt.Sprintf("view source %s: %v", name, err))
	}
	// A script or style holding "</" could end its element early.
	if strings.Contains(string(b), "</") {
		panic(fmt.Sprintf("view source %s holds \"</\", which would end its <script> or <style> early", name))
	}
	return string(b)
}
