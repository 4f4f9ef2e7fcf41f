package console

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// maxInitialJS is the most JavaScript, gzipped, a first visit loads.
const maxInitialJS = 300 << 10

// TestInitialJSSize: the scripts index.html loads (its module entry and
// the modules it preloads) add up to at most maxInitialJS gzipped.
func TestInitialJSSize(t *testing.T) {
	root := repo(t)
	run(t, root, nil, "scripts/build-web.sh")
	app := filepath.Join(root, "internal", "console", "web", "app")
	index, err := os.ReadFile(filepath.Join(app, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	scripts := regexp.MustCompile(`(?:src|href)="/(assets/[^"]+\.js)"`).FindAllSubmatch(index, -1)
	if len(scripts) == 0 {
		t.Fatalf("index.html loads no script:\n%s", index)
	}
	total := 0
	for _, m := range scripts {
		js, err := os.ReadFile(filepath.Join(app, string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		n := gzipped(t, js)
		t.Logf("%s: %d bytes, %d gzipped", m[1], len(js), n)
		total += n
	}
	t.Logf("initial JavaScript: %.1f KB gzipped (limit %d KB)", float64(total)/1024, maxInitialJS>>10)
	if total > maxInitialJS {
		t.Errorf("initial JavaScript is %d bytes gzipped, over %d: lazy-load what the first page does not need", total, maxInitialJS)
	}
}

func gzipped(t *testing.T, b []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Len()
}
