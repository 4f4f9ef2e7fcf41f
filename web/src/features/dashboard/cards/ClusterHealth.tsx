import { useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api";
import { answeredAt, cardView, type SourceState } from "../../../lib/cardState";
import { useNow } from "../../../lib/useNow";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";

const refreshMs = 30_000;

export function ClusterHealth({ config: _, ...props }: CardProps) {
  const q = useQuery({ queryKey: ["clusters"], queryFn: api.clusters, refetchInterval: refreshMs });
  const now = useNow();
  const clusters = q.data ?? [];
  const src: SourceState = {
    pending: q.isPending,
    failed: q.error?.message,
    at: answeredAt(q),
    parts: clusters.map((c) => ({ cluster: c.name, ok: c.reachable, offline: !c.reachable, message: c.error, at: q.dataUpdatedAt })),
  };
  const view = cardView(src, clusters.length, now, 3 * refreshMs);
  const up = clusters.filter((c) => c.reachable).length;
  return (
    <CardFrame {...props} view={{ ...view, problems: [] }} empty="No clusters are configured." retry={() => q.refetch()}>
      <p className="big">
        {up} of {clusters.length} clusters reachable
      </p>
      <ul className="rows">
        {clusters.map((c) => (
          <li key={c.name} className={c.reachable ? "good" : "bad"}>
            <strong>{c.name}</strong> {c.reachable ? `${c.version ?? ""} · ${c.nodes} nodes · ${c.latencyMs} ms` : `unreachable: ${c.error ?? ""}`}
          </li>
        ))}
      </ul>
    </CardFrame>
  );
}
