import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../lib/api";
import { timeOf } from "../../lib/useNow";
import { Outcome } from "../../components/Outcome";

// ClustersPage lists the clusters kubemcp knows, as clusters_list answers:
// one that does not answer is marked unreachable with the reason, beside
// the others.
export function ClustersPage() {
  const q = useQuery({ queryKey: ["clusters"], queryFn: api.clusters, refetchInterval: 30_000 });
  return (
    <section aria-labelledby="clusters-title">
      <div className="page-head">
        <h1 id="clusters-title">Clusters</h1>
        <button type="button" onClick={() => q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? "Refreshing…" : "Refresh"}
        </button>
        {q.dataUpdatedAt > 0 && <span className="asof">as of {timeOf(q.dataUpdatedAt)}</span>}
      </div>
      {q.isPending ? (
        <Outcome kind="loading" message="Asking every cluster…" />
      ) : q.error && !q.data ? (
        <Outcome kind="error" message={q.error.message} retry={() => q.refetch()} />
      ) : q.data?.length === 0 ? (
        <p>No clusters are configured: kubemcp found no contexts in its kubeconfig.</p>
      ) : (
        <table className="wide">
          <caption className="sr-only">Clusters</caption>
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col">State</th>
              <th scope="col">Version</th>
              <th scope="col">Nodes</th>
              <th scope="col">Latency</th>
              <th scope="col">Server</th>
            </tr>
          </thead>
          <tbody>
            {q.data?.map((c) => (
              <tr key={c.name} data-cluster={c.name} data-reachable={c.reachable}>
                <th scope="row">
                  <Link to={`/clusters/${encodeURIComponent(c.name)}`}>{c.name}</Link>
                  {c.default && <span className="muted"> (default)</span>}
                </th>
                <td className={c.reachable ? "good" : "bad"}>{c.reachable ? "Reachable" : `Unreachable: ${c.error ?? "no answer"}`}</td>
                <td>{c.version ?? "—"}</td>
                <td>{c.reachable ? c.nodes : "—"}</td>
                <td>{c.reachable ? `${c.latencyMs} ms` : "—"}</td>
                <td className="muted">{c.server}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
