import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../../lib/api";
import { timeOf } from "../../lib/useNow";
import { Outcome } from "../../components/Outcome";

export interface ObjectRef {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
}

// YamlView shows one object as YAML, read-only, with a button that copies
// it. Secret values come redacted, as kubemcp gives them.
export function YamlView({ cluster, kind, namespace, name }: ObjectRef) {
  const q = useQuery({ queryKey: ["object", cluster, kind, namespace, name], queryFn: () => api.object(cluster, kind, namespace, name) });
  const [copied, setCopied] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(q.data?.yaml ?? "");
      setCopied("Copied.");
    } catch {
      setCopied("The browser did not allow copying; select the text instead.");
    }
  };
  return (
    <section aria-labelledby="yaml-title" className="part">
      <div className="page-head">
        <h2 id="yaml-title">YAML</h2>
        <button type="button" onClick={copy} disabled={!q.data}>
          Copy YAML
        </button>
        <button type="button" onClick={() => q.refetch()} disabled={q.isFetching}>
          {q.isFetching ? "Reading…" : "Read again"}
        </button>
        <span className="asof" aria-live="polite">
          {copied}
          {q.dataUpdatedAt > 0 && ` as of ${timeOf(q.dataUpdatedAt)}`}
        </span>
      </div>
      {q.isPending ? (
        <Outcome kind="loading" message={`Reading ${kind} ${name}…`} />
      ) : q.error ? (
        <Outcome kind="error" message={q.error.message} retry={() => q.refetch()} />
      ) : (
        <pre className="yaml" tabIndex={0} aria-label={`YAML of ${q.data.kind} ${q.data.name}`}>
          {q.data.yaml}
        </pre>
      )}
    </section>
  );
}
