import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { api } from "../../lib/api";
import { podIssue, type KubeEvent, type Node, type Pod, type Row } from "../../lib/kube";
import { useLive } from "../../lib/useLive";
import { useLiveStream } from "../../lib/useLiveStream";
import { AsOf } from "../../components/AsOf";
import { Outcome } from "../../components/Outcome";
import { objectHref } from "../workloads/ObjectPage";
import { podHref } from "../workloads/PodPage";

// ClusterPage shows one cluster: its nodes, workloads, pods and events.
// Each part the console could not read says so, with why, beside the rest.
// Where the cluster's events are watched, a new one asks again at once.
export function ClusterPage() {
  const name = useParams().name ?? "";
  const q = useQuery({ queryKey: ["cluster", name], queryFn: () => api.cluster(name), refetchInterval: 30_000 });
  const live = useLive("events", { cluster: name }, () => void q.refetch()) !== "none";
  const d = q.data;
  const errors = d?.errors ?? {};
  return (
    <section aria-labelledby="cluster-title">
      <div className="page-head">
        <h1 id="cluster-title">Cluster {name}</h1>
        <Link to="/clusters">All clusters</Link>
        <button type="button" onClick={() => q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? "Refreshing…" : "Refresh"}
        </button>
        {q.dataUpdatedAt > 0 && (
          <span className="asof">
            <AsOf asOf={q.dataUpdatedAt} live={live} />
          </span>
        )}
      </div>
      {q.isPending ? (
        <Outcome kind="loading" message={`Asking ${name} for its nodes, workloads and events…`} />
      ) : q.error && !d ? (
        <Outcome kind="error" message={q.error.message} retry={() => q.refetch()} />
      ) : (
        <>
          <Part title="Nodes" error={errors.nodes}>
            <NodesTable cluster={name} nodes={(d?.nodes ?? []) as Node[]} />
          </Part>
          {["deployments", "statefulsets", "daemonsets"].map((kind) => (
            <Part key={kind} title={kind[0].toUpperCase() + kind.slice(1)} error={errors[kind]}>
              <WorkloadTable cluster={name} kind={kind} rows={(d?.workloads?.[kind] ?? []) as Row[]} />
            </Part>
          ))}
          <Pods cluster={name} />
          <Part title="Events" error={errors.events}>
            <ul className="rows">
              {((d?.events ?? []) as KubeEvent[]).slice(0, 50).map((e, i) => (
                <li key={i} className={e.type === "Warning" ? "bad" : undefined}>
                  <strong>{e.reason}</strong> <span className="muted">{e.namespace} {e.object}</span> {e.message}
                </li>
              ))}
            </ul>
          </Part>
        </>
      )}
    </section>
  );
}

function Part({ title, error, children }: { title: string; error?: string; children: ReactNode }) {
  const id = `part-${title.toLowerCase()}`;
  return (
    <section aria-labelledby={id} className="part">
      <h2 id={id}>{title}</h2>
      {error ? (
        <p role="alert" className="bad">
          {title} could not be read: {error}
        </p>
      ) : (
        children
      )}
    </section>
  );
}

function NodesTable({ cluster, nodes }: { cluster: string; nodes: Node[] }) {
  if (nodes.length === 0) return <p>No nodes.</p>;
  return (
    <table className="wide">
      <caption className="sr-only">Nodes</caption>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Status</th>
          <th scope="col">Roles</th>
          <th scope="col">Version</th>
          <th scope="col">CPU</th>
          <th scope="col">Memory</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.name}>
            <th scope="row">
              <Link to={objectHref(cluster, "node", undefined, n.name)} aria-label={`YAML of node ${n.name}`}>
                {n.name}
              </Link>
            </th>
            <td className={n.ready ? "good" : "bad"}>{n.status}</td>
            <td>{n.roles?.join(", ")}</td>
            <td>{n.version}</td>
            <td>{n.allocatable.cpu}</td>
            <td>{n.allocatable.memory}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WorkloadTable({ cluster, kind, rows }: { cluster: string; kind: string; rows: Row[] }) {
  if (rows.length === 0) return <p>No {kind}.</p>;
  const columns = Object.keys(rows[0].cells).filter((c) => c !== "NAME" && c !== "NAMESPACE").slice(0, 5);
  return (
    <table className="wide">
      <caption className="sr-only">{kind}</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.namespace}/${r.name}`}>
            <th scope="row">
              <span className="muted">{r.namespace}/</span>
              <Link to={objectHref(cluster, kind, r.namespace, r.name)} aria-label={`YAML of ${kind} ${r.name}`}>
                {r.name}
              </Link>
            </th>
            {columns.map((c) => (
              <td key={c}>{r.cells[c]}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Pods follows the cluster's pods stream, so they arrive on their own and
// a pod's change shows without a reload.
function Pods({ cluster }: { cluster: string }) {
  const { stream, rows: pods } = useLiveStream<Pod>("pods", { cluster }, 15_000, "pods");
  const part = stream.clusters[cluster];
  const error = part?.status === "error" ? part.error : part?.status === "offline" ? `unreachable (${part.reason})` : stream.phase === "failed" ? stream.error : undefined;
  return (
    <Part title="Pods" error={error}>
      {part === undefined ? (
        <p role="status">Loading pods…</p>
      ) : pods.length === 0 ? (
        <p>No pods.</p>
      ) : (
        <table className="wide">
          <caption className="sr-only">Pods</caption>
          <thead>
            <tr>
              <th scope="col">Pod</th>
              <th scope="col">Ready</th>
              <th scope="col">Status</th>
              <th scope="col">Restarts</th>
              <th scope="col">Node</th>
            </tr>
          </thead>
          <tbody>
            {pods.map((p) => (
              <tr key={`${p.namespace}/${p.name}`}>
                <th scope="row">
                  <span className="muted">{p.namespace}/</span>
                  <Link to={podHref(cluster, p.namespace, p.name)} aria-label={`Log of ${p.name}`}>
                    {p.name}
                  </Link>{" "}
                  <Link to={podHref(cluster, p.namespace, p.name, "yaml")} aria-label={`YAML of ${p.name}`}>
                    YAML
                  </Link>
                </th>
                <td>{p.ready}</td>
                <td className={podIssue(p) ? "bad" : "good"}>{p.status}</td>
                <td>{p.restarts}</td>
                <td>{p.node}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Part>
  );
}
