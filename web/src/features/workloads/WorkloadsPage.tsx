import { useState } from "react";
import { Link } from "react-router";
import { podIssue, type Pod } from "../../lib/kube";
import { useLiveStream } from "../../lib/useLiveStream";
import { AsOf } from "../../components/AsOf";
import { ClusterProblems, Outcome } from "../../components/Outcome";
import { podHref } from "./PodPage";
import { Where } from "../../components/Where";

const refreshMs = 15_000;

// WorkloadsPage lists the pods of every cluster with their status, those
// with an issue first, narrowed by namespace and text as one types; each
// opens its log or YAML. A pod's change shows at once where pods are
// watched.
export function WorkloadsPage() {
  const { rows, restart, view: viewOf } = useLiveStream<Pod>("pods", {}, refreshMs, "pods");
  const [namespace, setNamespace] = useState("");
  const [text, setText] = useState("");
  const all = rows.map((p) => ({ ...p, issue: podIssue(p) }));
  const shown = all
    .filter((p) => (!namespace || p.namespace === namespace) && (!text || `${p.cluster}/${p.namespace}/${p.name} ${p.status}`.includes(text)))
    .sort((a, b) => Number(b.issue !== "") - Number(a.issue !== "") || a.name.localeCompare(b.name));
  const namespaces = [...new Set(all.map((p) => p.namespace))].sort();
  const view = viewOf(all.length);
  return (
    <section aria-labelledby="workloads-title" data-live={view.live || undefined}>
      <div className="page-head">
        <h1 id="workloads-title">Workloads</h1>
        <span className="asof" aria-live="polite">
          <AsOf {...view} />
        </span>
      </div>
      <form className="filters" role="search" aria-label="Filter pods" onSubmit={(e) => e.preventDefault()}>
        <label>
          Namespace
          <select value={namespace} onChange={(e) => setNamespace(e.target.value)}>
            <option value="">All namespaces</option>
            {namespaces.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name or status" />
        </label>
      </form>
      <ClusterProblems problems={view.problems} />
      {view.kind === "loading" ? (
        <Outcome kind="loading" message="Asking every cluster for its pods…" />
      ) : view.kind === "error" || view.kind === "offline" ? (
        <Outcome kind="error" message={view.message ?? "The pods could not be read."} retry={restart} />
      ) : shown.length === 0 ? (
        <p>{all.length ? "No pod matches." : "No pods."}</p>
      ) : (
        <table className="wide">
          <caption className="sr-only">Pods of every cluster</caption>
          <thead>
            <tr>
              <th scope="col">Pod</th>
              <th scope="col">Ready</th>
              <th scope="col">Status</th>
              <th scope="col">Restarts</th>
              <th scope="col">Node</th>
              <th scope="col">Open</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, 500).map((p) => (
              <tr key={`${p.cluster}/${p.namespace}/${p.name}`}>
                <th scope="row">
                  <Where cluster={p.cluster} namespace={p.namespace}>
                    {p.name}
                  </Where>
                </th>
                <td>{p.ready}</td>
                <td className={p.issue ? "bad" : "good"}>{p.issue || p.status}</td>
                <td>{p.restarts}</td>
                <td>{p.node}</td>
                <td>
                  <Link to={podHref(p.cluster, p.namespace, p.name)} aria-label={`Log of ${p.name}`}>
                    Log
                  </Link>{" "}
                  <Link to={podHref(p.cluster, p.namespace, p.name, "yaml")} aria-label={`YAML of ${p.name}`}>
                    YAML
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
