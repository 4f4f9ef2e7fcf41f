package deploy

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/kubemcp/kubemcp/internal/imagebuild"
)

// maxImageBytes bounds the image's uncompressed size: a static, stripped
// kubemcp and a CA bundle. A jump past it means something big came in.
const maxImageBytes = 120 << 20

// TestImage builds the image as `make image` does, writes the tarball,
// reads it back, and checks it against the Dockerfile: user, entrypoint,
// command, environment, working directory and labels; then that the binary in
// the layer runs, and the size.
func TestImage(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "kubemcp")
	if err := imagebuild.GoBuild(context.Background(), bin, runtime.GOARCH, "v9.8.7-test"); err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(dir, "kubemcp-image.tar")
	ociDir := filepath.Join(dir, "oci")
	err := imagebuild.Run(context.Background(), []string{"--binary", bin, "--version", "v9.8.7-test", "--revision", "abc123", "--tar", tarPath, "--oci", ociDir}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantOCILayout(t, ociDir)
	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatalf("the tarball does not load as an image: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	wantDockerfileConfig(t, cf.Config, map[string]string{"VERSION": "v9.8.7-test", "REVISION": "abc123"})
	files := extract(t, img, dir)
	wantRuns(t, files["kubemcp"], "v9.8.7-test")
	wantImageFiles(t, files)
	size := imageSize(t, img)
	t.Logf("image: %.1f MiB uncompressed, tarball %.1f MiB", float64(size)/(1<<20), float64(fileSize(t, tarPath))/(1<<20))
	if size > maxImageBytes {
		t.Errorf("image is %d bytes uncompressed, over the %d bound", size, maxImageBytes)
	}
}

// wantOCILayout checks the layout holds one image with OCI media types
// throughout (skopeo refuses an OCI manifest with a Docker config).
func wantOCILayout(t *testing.T, dir string) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("the OCI layout does not load: %v", err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("the OCI layout's index: %v, %+v", err, im)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON || m.Layers[0].MediaType != types.OCILayer {
		t.Errorf("media types: manifest %s, config %s, layer %s", m.MediaType, m.Config.MediaType, m.Layers[0].MediaType)
	}
}

// dockerfile is what the Dockerfile's last stage declares.
type dockerfile struct {
	user, workdir   string
	entrypoint, cmd []string
	env, labels     map[string]string
}

// kv matches key="value" pairs of LABEL and ENV lines.
var kv = regexp.MustCompile(`([A-Za-z0-9_.]+)=("[^"]*"|\S+)`)

// parseDockerfile reads the instructions of the last stage, with ARGs
// replaced by args.
func parseDockerfile(t *testing.T, args map[string]string) dockerfile {
	t.Helper()
	data, err := os.ReadFile(repoPath(t, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := os.Expand(strings.ReplaceAll(string(data), "\\\n", " "), func(k string) string { return args[k] })
	stages := strings.Split(text, "\nFROM ")
	var d dockerfile
	d.env, d.labels = map[string]string{}, map[string]string{}
	for line := range strings.Lines(stages[len(stages)-1]) {
		instr, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch instr {
		case "USER":
			d.user = rest
		case "WORKDIR":
			d.workdir = rest
		case "ENTRYPOINT":
			d.entrypoint = jsonArray(t, rest)
		case "CMD":
			d.cmd = jsonArray(t, rest)
		case "ENV", "LABEL":
			m := map[string]map[string]string{"ENV": d.env, "LABEL": d.labels}[instr]
			for _, p := range kv.FindAllStringSubmatch(rest, -1) {
				m[p[1]] = strings.Trim(p[2], `"`)
			}
		}
	}
	return d
}

func jsonArray(t *testing.T, s string) []string {
	t.Helper()
	var a []string
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		t.Fatalf("Dockerfile: %q is not an exec-form array: %v", s, err)
	}
	return a
}

// wantDockerfileConfig checks that the image's config is the one the
// Dockerfile declares, so that both ways of building make the same image.
func wantDockerfileConfig(t *testing.T, c v1.Config, args map[string]string) {
	t.Helper()
	d := parseDockerfile(t, args)
	if d.user != "65532:65532" || c.User != d.user {
		t.Errorf("user: image %q, Dockerfile %q, want 65532:65532", c.User, d.user)
	}
	if !slices.Equal(c.Entrypoint, d.entrypoint) || !slices.Equal(c.Cmd, d.cmd) || !slices.Equal(c.Entrypoint, []string{"/kubemcp"}) {
		t.Errorf("entrypoint %q cmd %q; Dockerfile %q %q", c.Entrypoint, c.Cmd, d.entrypoint, d.cmd)
	}
	if c.WorkingDir != d.workdir {
		t.Errorf("working dir %q, Dockerfile %q", c.WorkingDir, d.workdir)
	}
	for k, v := range d.env {
		if !slices.Contains(c.Env, k+"="+v) {
			t.Errorf("env %q lacks the Dockerfile's %s=%s", c.Env, k, v)
		}
	}
	if len(d.labels) != 6 || !maps.Equal(c.Labels, d.labels) {
		t.Errorf("labels:\n image      %v\n Dockerfile %v", c.Labels, d.labels)
	}
}

// imageFile is one file of the flattened image.
type imageFile struct {
	header *tar.Header
	path   string // where it was extracted to (regular files)
}

// extract flattens the image's layers and writes its regular files under dir.
func extract(t *testing.T, img v1.Image, dir string) map[string]imageFile {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]imageFile{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		f := imageFile{header: h}
		if h.Typeflag == tar.TypeReg {
			f.path = filepath.Join(dir, "rootfs", filepath.FromSlash(h.Name))
			writeFile(t, f.path, tr)
		}
		files[strings.Trim(h.Name, "/")] = f
	}
}

func writeFile(t *testing.T, path string, r io.Reader) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		t.Fatal(err)
	}
}

// wantRuns runs the image's own binary: `kubemcp version`.
func wantRuns(t *testing.T, f imageFile, version string) {
	t.Helper()
	if f.header == nil || f.header.Mode&0o111 == 0 {
		t.Fatalf("/kubemcp is missing or not executable: %+v", f.header)
	}
	out, err := exec.Command(f.path, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), version) {
		t.Errorf("/kubemcp version: %v: %s", err, out)
	}
}

// wantImageFiles checks what the nonroot user and TLS need.
func wantImageFiles(t *testing.T, files map[string]imageFile) {
	t.Helper()
	passwd, err := os.ReadFile(files["etc/passwd"].path)
	if err != nil || !strings.Contains(string(passwd), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot user: %v %s", err, passwd)
	}
	if h := files["home/nonroot"].header; h == nil || h.Uid != 65532 {
		t.Errorf("/home/nonroot is not the nonroot user's: %+v", h)
	}
	if _, err := os.Stat(imagebuild.DefaultCABundle); err == nil && files[imagebuild.DefaultCABundle[1:]].header == nil {
		t.Error("the image has no CA bundle: kubemcp could not verify an OIDC issuer")
	}
}

func imageSize(t *testing.T, img v1.Image) int64 {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		size += n
	}
	return size
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
