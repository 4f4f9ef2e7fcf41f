package helm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/registry"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/kubemcp/kubemcp/internal/config"
	"github.com/kubemcp/kubemcp/internal/toolset/toolsettest"
)

// ociRegistry serves the demo chart 0.1.0 as oci://<host>/charts/demo over
// HTTPS behind basic auth, and returns host and a PEM file of the CA to
// trust for it. It serves what a pull reads (manifests and blobs, by tag
// or digest) and nothing else: the distribution registry would be the real
// thing, but its dependencies clash with kubemcp's OpenTelemetry modules,
// so this is the small part of the OCI distribution API Helm's client uses.
func ociRegistry(t *testing.T) (host, caFile string) {
	data, err := os.ReadFile(filepath.Join(packages(t), "demo-0.1.0.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	meta, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	metaJSON, _ := json.Marshal(meta.Metadata)
	blobs := map[string][]byte{}
	describe := func(mediaType string, b []byte) map[string]any {
		sum := sha256.Sum256(b)
		digest := "sha256:" + hex.EncodeToString(sum[:])
		blobs[digest] = b
		return map[string]any{"mediaType": mediaType, "digest": digest, "size": len(b)}
	}
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": describe(registry.ConfigMediaType, metaJSON),
		"layers": []any{describe(registry.ChartLayerMediaType, data)},
	})
	manifestDigest := describe("", manifest)["digest"].(string)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /v2/charts/demo/manifests/{ref}", func(w http.ResponseWriter, r *http.Request) {
		if ref := r.PathValue("ref"); ref != "0.1.0" && ref != manifestDigest {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", manifestDigest)
		w.Header().Set("Content-Length", strconv.Itoa(len(manifest)))
		w.Write(manifest)
	})
	mux.HandleFunc("GET /v2/charts/demo/blobs/{digest}", func(w http.ResponseWriter, r *http.Request) {
		b, ok := blobs[r.PathValue("digest")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, pw, ok := r.BasicAuth(); !ok || u != repoUser || pw != repoPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="registry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(srv.URL, "https://"), caFile
}

// TestPrivateRegistry pulls a chart from an OCI registry over HTTPS, with
// the CA and credentials of kubemcp's configuration; with the CA and no
// credentials, or wrong ones, the call fails saying which setting to add or
// check. No answer holds the password.
func TestPrivateRegistry(t *testing.T) {
	host, caFile := ociRegistry(t)
	ns := env.Namespace(t, "helm-oci")
	entry := func(password string) Options {
		o := credentials("oci://"+host+"/charts", password)
		o.Repositories[0].CAFile = caFile
		return o
	}
	noCredentials := Options{Repositories: []config.HelmRepository{{URL: "oci://" + host, CAFile: caFile}}}
	args := map[string]any{"namespace": ns, "name": "web", "chart": "oci://" + host + "/charts/demo", "version": "0.1.0", "dry_run": true}

	var plan Change
	text := toolsettest.Serve(t, options(entry(repoPassword))).OK(t, "helm_install", args, &plan)
	if !strings.Contains(plan.Plan, `+  greeting: "hello"`) || strings.Contains(text, repoPassword) {
		t.Errorf("the dry run from the registry: want the chart rendered and no password:\n%s", text)
	}
	for _, tt := range []struct {
		name string
		opts Options
		want string
	}{
		{"no credentials", noCredentials, "asks for credentials and kubemcp has none"},
		{"wrong password", entry("wrong"), "refused the credentials of helmRepositories entry oci://" + host + "/charts"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := toolsettest.Serve(t, options(tt.opts)).Fails(t, "helm_install", args)
			toolsettest.Want(t, text, tt.want, "helmRepositories")
			if strings.Contains(text, repoPassword) {
				t.Errorf("the answer holds the password:\n%s", text)
			}
		})
	}
}

// TestRegistryCredentialsForItsHostOnly: the authorizer gives a registry's
// credentials to that registry's host alone, and none to another (a
// blob's storage, say).
func TestRegistryCredentialsForItsHostOnly(t *testing.T) {
	a, err := credentials("oci://registry.example.com/charts", repoPassword).accessFor("oci://registry.example.com/charts/demo")
	if err != nil {
		t.Fatal(err)
	}
	client, err := a.authorizer("registry.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]auth.Credential{
		"registry.example.com":      {Username: repoUser, Password: repoPassword},
		"registry.example.com:5000": auth.EmptyCredential,
		"storage.example.com":       auth.EmptyCredential,
	} {
		if got, err := client.Credential(t.Context(), host); err != nil || got != want {
			t.Errorf("%s: credential %+v (%v), want %+v", host, got, err, want)
		}
	}
}
