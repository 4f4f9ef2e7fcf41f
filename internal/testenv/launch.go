package testenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// exitedError says a process died while the cluster was starting; most often
// a port picked as free was taken in between, so Start tries once more.
type exitedError struct {
	name, log string
	err       error
}

func (e *exitedError) Error() string {
	data, _ := os.ReadFile(e.log)
	return fmt.Sprintf("%s exited during start-up (%v); last lines of %s:\n%s", e.name, e.err, filepath.Base(e.log), tail(data, 15))
}

// launch starts etcd and kube-apiserver and waits for /readyz, retrying once
// with new ports when a process dies on the way.
func (e *Env) launch(ctx context.Context, bin string) error {
	err := e.launchOnce(ctx, bin, 1)
	var exited *exitedError
	if !errors.As(err, &exited) {
		return err
	}
	e.log.Warn("retrying cluster start with new ports", "reason", exited.Error())
	for _, p := range e.procs {
		if kerr := p.kill(); kerr != nil {
			return errors.Join(err, kerr)
		}
	}
	return e.launchOnce(ctx, bin, 2)
}

func (e *Env) launchOnce(ctx context.Context, bin string, attempt int) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	e.Server = "https://127.0.0.1:" + strconv.Itoa(ports[1])
	etcd, err := e.startProcess("etcd", filepath.Join(bin, "etcd"), e.etcdArgs(etcdURL, attempt)...)
	if err != nil {
		return err
	}
	// The apiserver retries etcd until it answers, so both start at once.
	e.apiserver.bin, e.apiserver.args = filepath.Join(bin, "kube-apiserver"), e.apiserverArgs(etcdURL, ports[1])
	api, err := e.startProcess("kube-apiserver", e.apiserver.bin, e.apiserver.args...)
	if err != nil {
		return err
	}
	return e.waitReady(ctx, etcd, api)
}

func (e *Env) etcdArgs(url string, attempt int) []string {
	return []string{
		"--data-dir=" + e.path("etcd-"+strconv.Itoa(attempt)),
		"--listen-client-urls=" + url,
		"--advertise-client-urls=" + url,
		"--listen-peer-urls=http://127.0.0.1:0",
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}
}

func (e *Env) apiserverArgs(etcdURL string, port int) []string {
	return []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + e.path("apiserver-certs"),
		"--tls-cert-file=" + e.pki.certFile,
		"--tls-private-key-file=" + e.pki.keyFile,
		"--client-ca-file=" + e.pki.caFile,
		"--token-auth-file=" + e.path("tokens.csv"),
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + e.pki.saKey,
		"--service-account-signing-key-file=" + e.pki.saKey,
		"--service-cluster-ip-range=" + serviceCIDR,
		"--allow-privileged=true",
		"--endpoint-reconciler-type=none",
		"--kubelet-preferred-address-types=InternalIP,Hostname",
		// No controller-manager: nothing creates default ServiceAccounts or
		// lifts the not-ready taint from new nodes.
		"--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
		"--profiling=false",
	}
}

// waitReady polls /readyz with the admin token until it answers ok.
func (e *Env) waitReady(ctx context.Context, procs ...*process) error {
	client, err := e.readyClient()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, readyWithin)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if last = e.probeReady(ctx, client); last == nil {
			return nil
		}
		for _, p := range procs {
			if p.exited() {
				return &exitedError{name: p.name, log: p.log, err: p.err}
			}
		}
		select {
		case <-ctx.Done():
			data, _ := os.ReadFile(e.path("kube-apiserver.log"))
			return fmt.Errorf("kube-apiserver not ready: %w (last probe: %v); last lines of kube-apiserver.log:\n%s",
				ctx.Err(), last, tail(data, 25))
		case <-tick.C:
		}
	}
}

func (e *Env) readyClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(e.pki.caPEM) {
		return nil, errors.New("loading the cluster CA")
	}
	return &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}, nil
}

func (e *Env) probeReady(ctx context.Context, client *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Server+"/readyz", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.Users["admin"].Token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/readyz: %s", resp.Status)
	}
	return nil
}

// freePorts finds n free loopback ports by listening on port 0. Another
// process may take one before we use it; launch retries once for that.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
