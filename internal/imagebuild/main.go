package imagebuild

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Main is cmd/kubemcp-image's main: it exits 1 with the error on stderr.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := Run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubemcp-image:", err)
		os.Exit(1)
	}
}

// Run builds the binary (unless --binary names one), the image, and writes
// it as a docker-archive tarball (docker load, podman load, kind load
// image-archive) and/or an OCI layout directory (skopeo copy oci:DIR ...).
func Run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("kubemcp-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	opts := Options{Arch: runtime.GOARCH}
	var tarPath, ociDir, repo string
	fs.StringVar(&opts.Binary, "binary", "", "a static linux kubemcp binary; empty: go build one")
	fs.StringVar(&opts.Arch, "arch", opts.Arch, "GOARCH of the image")
	fs.StringVar(&opts.Version, "version", "dev", "kubemcp's version: the binary's, the tag's and the label's")
	fs.StringVar(&opts.Revision, "revision", "unknown", "the commit, for the revision label")
	fs.StringVar(&opts.CABundle, "ca-bundle", DefaultCABundle, "PEM CA bundle to include; empty: none")
	fs.StringVar(&repo, "repository", "ghcr.io/kubemcp/kubemcp", "the image name the tarball is tagged with")
	fs.StringVar(&tarPath, "tar", "", "write a docker-archive tarball here")
	fs.StringVar(&ociDir, "oci", "", "write an OCI image layout directory here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if tarPath == "" && ociDir == "" {
		return errors.New("say where to write the image: --tar FILE and/or --oci DIR")
	}
	tag, err := name.NewTag(repo + ":" + opts.Version)
	if err != nil {
		return fmt.Errorf("image name %s:%s: %w", repo, opts.Version, err)
	}
	if opts.Binary == "" {
		dir, err := os.MkdirTemp("", "kubemcp-image-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		opts.Binary = filepath.Join(dir, "kubemcp")
		if err := GoBuild(ctx, opts.Binary, opts.Arch, opts.Version); err != nil {
			return err
		}
	}
	img, err := Build(opts)
	if err != nil {
		return err
	}
	return write(img, tag, tarPath, ociDir)
}

func write(img v1.Image, tag name.Tag, tarPath, ociDir string) error {
	if tarPath != "" {
		if err := tarball.WriteToFile(tarPath, tag, img); err != nil {
			return fmt.Errorf("writing %s: %w", tarPath, err)
		}
	}
	if ociDir != "" {
		if err := os.RemoveAll(ociDir); err != nil {
			return err
		}
		p, err := layout.Write(ociDir, empty.Index)
		if err != nil {
			return fmt.Errorf("writing %s: %w", ociDir, err)
		}
		if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": tag.String()})); err != nil {
			return fmt.Errorf("writing %s: %w", ociDir, err)
		}
	}
	return nil
}
