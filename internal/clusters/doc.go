// Package clusters knows where kubemcp's clusters come from (every context of
// the kubeconfig files and directories, and the in-cluster service account;
// include and exclude patterns), reloads them when the files change (Reload,
// Watch, OnChange), and hands out clients for them: one per cluster with the
// server's credential, and, when callers reach the cluster as themselves
// (impersonation or passthrough), one per cluster and caller from a bounded
// cache, all sharing the cluster's discovery cache and RESTMapper.
//
// A call that names several clusters goes through Select and Fan: in
// parallel, each under a timeout, skipping for a while a cluster that could
// not be reached, which only a probe of the cluster decides, never a call's
// own timeout. Probe and Ready ask every cluster regardless.
package clusters
