package config

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestHelmRepositoriesDecode(t *testing.T) {
	cfg := Default()
	err := cfg.LoadFile(writeFile(t, `
helmRepositories:
- url: https://charts.example.com/private
  username: {value: ci}
  password: {fromFile: /var/run/secrets/charts/password}
  caFile: /etc/kubemcp/charts-ca.pem
- url: oci://registry.example.com/charts
  username: {fromEnv: REGISTRY_USER}
  password: {fromEnv: REGISTRY_PASSWORD}
  plainHTTP: true
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if r := cfg.HelmRepositories; len(r) != 2 || r[0].Password.FromFile == "" || r[0].CAFile == "" || r[1].Username.FromEnv != "REGISTRY_USER" || !r[1].PlainHTTP {
		t.Errorf("decoded as %+v", r)
	}
}

// TestHelmRepositoriesStrict: a typo inside an entry is named.
func TestHelmRepositoriesStrict(t *testing.T) {
	cfg := Default()
	err := cfg.LoadFile(writeFile(t, "helmRepositories:\n- url: https://h/\n  pasword: {value: x}\n"))
	if err == nil || !strings.Contains(err.Error(), "pasword") {
		t.Fatalf("want an error naming pasword, got %v", err)
	}
}

// TestHelmRepositoriesValidate: every bad entry is named by its URL, and no
// error repeats a secret's value.
func TestHelmRepositoriesValidate(t *testing.T) {
	cfg := Default()
	pw := &Secret{Value: "s3cret-value"}
	cfg.HelmRepositories = []HelmRepository{
		{URL: "ftp://h/charts"},
		{URL: "https://u:s3cret-value@h/charts"},
		{URL: "https://only-user/", Username: &Secret{Value: "u"}},
		{URL: "https://only-password/", Password: pw},
		{URL: "https://two-ways/", Username: &Secret{Value: "u"}, Password: &Secret{Value: "s3cret-value", FromEnv: "P"}},
		{URL: "https://cert-alone/", CertFile: "/c.pem"},
		{URL: "https://plain/", PlainHTTP: true},
		{URL: "oci://dup/charts"},
		{URL: "oci://dup/charts/"},
		{},
	}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"(ftp://h/charts): url: want", "(https://h/charts): url: give credentials in username and password",
		"(https://only-user/): give username and password together", "(https://only-password/): give username and password together",
		"(https://two-ways/): password: give exactly one", "(https://cert-alone/): give certFile and keyFile together",
		"(https://plain/): plainHTTP: for oci://", "(oci://dup/charts/): listed twice", "helmRepositories[9]: url: want"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Errorf("the errors hold the secret:\n%v", err)
	}
}

func TestSecretRead(t *testing.T) {
	file := writeFile(t, "from-file\n")
	env := func(k string) (string, bool) { return map[string]string{"SET": "from-env"}[k], k == "SET" }
	for _, tt := range []struct {
		s    Secret
		want string
		err  string
	}{
		{Secret{Value: "inline"}, "inline", ""},
		{Secret{FromEnv: "SET"}, "from-env", ""},
		{Secret{FromFile: file}, "from-file", ""},
		{Secret{FromEnv: "UNSET"}, "", "UNSET is not set"},
		{Secret{FromFile: file + ".missing"}, "", "reading the file"},
	} {
		got, err := tt.s.Read(env)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%+v: got %q, %v; want %q, %q", tt.s, got, err, tt.want, tt.err)
		}
	}
}

// TestHelmChartDirs: the directories come from the file, the environment or
// --helm-chart-dirs like any list setting, and each must be absolute.
func TestHelmChartDirs(t *testing.T) {
	cfg := Default()
	if err := cfg.LoadFile(writeFile(t, "helmChartDirs: [/charts, /srv/charts]\n")); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil || len(cfg.HelmChartDirs) != 2 || cfg.HelmChartDirs[1] != "/srv/charts" {
		t.Fatalf("decoded as %q (%v)", cfg.HelmChartDirs, err)
	}
	if err := cfg.ApplyEnv(func(k string) (string, bool) { return "/from/env", k == "KUBEMCP_HELM_CHART_DIRS" }); err != nil || len(cfg.HelmChartDirs) != 1 {
		t.Fatalf("KUBEMCP_HELM_CHART_DIRS: %q (%v)", cfg.HelmChartDirs, err)
	}
	flagged := Default()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	Bind(fs, &flagged)
	if err := fs.Parse([]string{"--helm-chart-dirs", "/a,charts"}); err != nil {
		t.Fatal(err)
	}
	if err := cfg.ApplyFlags(fs); err != nil {
		t.Fatal(err)
	}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `helmChartDirs: "charts" is not an absolute path`) || strings.Contains(err.Error(), `"/a"`) {
		t.Errorf("--helm-chart-dirs /a,charts: want charts alone refused, got %v", err)
	}
}
