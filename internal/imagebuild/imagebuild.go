// Package imagebuild assembles kubemcp's container image without a container
// engine or a base image download: one layer on an empty base holding the
// static binary, the nonroot user's passwd and group entries and the build
// machine's CA bundle, with the same user, entrypoint and labels as the
// Dockerfile. `make image` runs it through cmd/kubemcp-image.
package imagebuild

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// UID is the nonroot user the image runs as (distroless's nonroot).
const UID = 65532

// Home is the nonroot user's home and the working directory.
const Home = "/home/nonroot"

// DefaultCABundle is where Debian keeps the CA bundle the image carries, so
// that kubemcp can verify an OIDC issuer; Go reads the same path at run time.
const DefaultCABundle = "/etc/ssl/certs/ca-certificates.crt"

// Options say what goes into the image.
type Options struct {
	Binary   string // a static linux kubemcp binary for Arch
	Arch     string // GOARCH of Binary; empty: this machine's
	Version  string // org.opencontainers.image.version
	Revision string // org.opencontainers.image.revision (a commit)
	CABundle string // PEM bundle copied to DefaultCABundle; empty: none
}

// Labels are the image's OCI labels; the Dockerfile declares the same ones.
func Labels(version, revision string) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       "kubemcp",
		"org.opencontainers.image.description": "A Model Context Protocol server for Kubernetes",
		"org.opencontainers.image.source":      "https://github.com/kubemcp/kubemcp",
		// The project has chosen no licence yet; SPDX's word for that.
		"org.opencontainers.image.licenses": "NOASSERTION",
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.revision": revision,
	}
}

// Build assembles the image. File times and the creation time are the Unix
// epoch, so the same binary always makes the same image digest.
func Build(opts Options) (v1.Image, error) {
	bin, err := os.ReadFile(opts.Binary)
	if err != nil {
		return nil, fmt.Errorf("reading the kubemcp binary (build it with CGO_ENABLED=0 for linux): %w", err)
	}
	files := []file{
		{path: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{path: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{path: "home/nonroot/", mode: 0o700, uid: UID},
		{path: "tmp/", mode: 0o1777},
		{path: "kubemcp", mode: 0o755, data: bin},
	}
	if opts.CABundle != "" {
		ca, err := os.ReadFile(opts.CABundle)
		if err != nil {
			return nil, fmt.Errorf("reading the CA bundle: %w", err)
		}
		files = append(files, file{path: DefaultCABundle[1:], mode: 0o644, data: ca})
	}
	layer, err := tarLayer(files)
	if err != nil {
		return nil, err
	}
	// OCI media types throughout: skopeo refuses an OCI layout whose config
	// is Docker's.
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, MediaType: types.OCILayer,
		History: v1.History{Created: epoch, CreatedBy: "kubemcp-image (internal/imagebuild)"}})
	if err != nil {
		return nil, fmt.Errorf("adding the layer: %w", err)
	}
	return withConfig(img, opts)
}

func withConfig(img v1.Image, opts Options) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the empty image's config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", opts.Arch
	if cf.Architecture == "" {
		cf.Architecture = runtime.GOARCH
	}
	cf.Created = epoch
	cf.Config = v1.Config{
		User:       fmt.Sprintf("%d:%d", UID, UID),
		Entrypoint: []string{"/kubemcp"},
		Cmd:        []string{"serve"},
		Env:        []string{"HOME=" + Home},
		WorkingDir: Home,
		Labels:     Labels(opts.Version, opts.Revision),
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting the image config: %w", err)
	}
	return img, nil
}

var epoch = v1.Time{Time: time.Unix(0, 0).UTC()}

// file is one entry of the layer; a path ending in / is a directory.
type file struct {
	path string
	mode int64
	uid  int
	data []byte
}

func tarLayer(files []file) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.path, Mode: f.mode, Uid: f.uid, Gid: f.uid, Size: int64(len(f.data)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if f.path[len(f.path)-1] == '/' {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, fmt.Errorf("writing %s into the layer: %w", f.path, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, fmt.Errorf("writing %s into the layer: %w", f.path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing the layer: %w", err)
	}
	data := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("making the layer: %w", err)
	}
	return layer, nil
}

// GoBuild builds a static kubemcp for linux/arch into out, with the flags
// the Dockerfile uses: no cgo (the image has no libc), -trimpath, stripped.
func GoBuild(ctx context.Context, out, arch, version string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath",
		"-ldflags", "-s -w -X github.com/kubemcp/kubemcp/internal/app.version="+version,
		"-o", out, "github.com/kubemcp/kubemcp/cmd/kubemcp")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build of kubemcp: %w: %s", err, stderr.Bytes())
	}
	return nil
}
