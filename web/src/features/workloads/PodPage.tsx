import { Link, useParams, useSearchParams } from "react-router";
import { LogViewer } from "./LogViewer";
import { YamlView } from "./YamlView";

// PodPage is one pod: its log, or its YAML.
export function PodPage() {
  const { cluster = "", namespace = "", name = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const view = params.get("view") === "yaml" ? "yaml" : "log";
  return (
    <section aria-labelledby="pod-title">
      <div className="page-head">
        <h1 id="pod-title">
          Pod <span className="muted">{cluster}/{namespace}/</span>
          {name}
        </h1>
        <Link to="/workloads">All pods</Link>
        <Link to={`/clusters/${encodeURIComponent(cluster)}`}>Cluster {cluster}</Link>
      </div>
      <div className="tabs" role="group" aria-label="Show">
        <button type="button" aria-pressed={view === "log"} onClick={() => setParams({})}>
          Log
        </button>
        <button type="button" aria-pressed={view === "yaml"} onClick={() => setParams({ view: "yaml" })}>
          YAML
        </button>
      </div>
      {view === "log" ? (
        <LogViewer cluster={cluster} namespace={namespace} pod={name} />
      ) : (
        <YamlView cluster={cluster} kind="pod" namespace={namespace} name={name} />
      )}
    </section>
  );
}

export function podHref(cluster: string, namespace: string, name: string, view?: "yaml"): string {
  const e = encodeURIComponent;
  return `/workloads/${e(cluster)}/${e(namespace)}/${e(name)}${view ? "?view=yaml" : ""}`;
}
