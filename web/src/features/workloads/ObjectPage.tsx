import { Link, useParams, useSearchParams } from "react-router";
import { YamlView } from "./YamlView";

// ObjectPage is any object's YAML, opened from a cluster's detail.
export function ObjectPage() {
  const cluster = useParams().cluster ?? "";
  const [params] = useSearchParams();
  const kind = params.get("kind") ?? "";
  const namespace = params.get("namespace") ?? "";
  const name = params.get("name") ?? "";
  return (
    <section aria-labelledby="object-title">
      <div className="page-head">
        <h1 id="object-title">
          {kind} <span className="muted">{cluster}/{namespace ? `${namespace}/` : ""}</span>
          {name}
        </h1>
        <Link to={`/clusters/${encodeURIComponent(cluster)}`}>Cluster {cluster}</Link>
      </div>
      <YamlView cluster={cluster} kind={kind} namespace={namespace} name={name} />
    </section>
  );
}

export function objectHref(cluster: string, kind: string, namespace: string | undefined, name: string): string {
  const q = new URLSearchParams({ kind, name });
  if (namespace) q.set("namespace", namespace);
  return `/objects/${encodeURIComponent(cluster)}?${q}`;
}
