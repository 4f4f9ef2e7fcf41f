import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { api } from "../../../lib/api";
import { answeredAt, cardView } from "../../../lib/cardState";
import type { Node } from "../../../lib/kube";
import { useNow } from "../../../lib/useNow";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { scope } from "../scope";

const refreshMs = 30_000;

// ClusterDetailCard sums up one cluster (its config's): nodes ready,
// workloads, events, and each part it could not read, with why.
export function ClusterDetailCard({ config, ...props }: CardProps) {
  const name = scope(config).cluster ?? "";
  const q = useQuery({ queryKey: ["cluster", name], queryFn: () => api.cluster(name), enabled: name !== "", refetchInterval: refreshMs });
  const now = useNow();
  const d = q.data;
  const failed = d ? Object.entries(d.errors ?? {}) : [];
  const down = d !== undefined && failed.length === 5;
  const nodes = (d?.nodes ?? []) as Node[];
  const workloads = Object.entries(d?.workloads ?? {});
  const view = cardView(
    {
      pending: q.isPending && name !== "",
      failed: name === "" ? "Choose the cluster in this card's settings." : q.error?.message,
      at: answeredAt(q),
      parts: d ? [{ cluster: name, ok: !down, offline: down, message: failed.map(([p, e]) => `${p}: ${e}`).join("; "), at: q.dataUpdatedAt }] : [],
    },
    nodes.length + workloads.reduce((n, [, items]) => n + (items?.length ?? 0), 0) + (d?.events?.length ?? 0) + failed.length,
    now,
    3 * refreshMs,
  );
  return (
    <CardFrame {...props} view={view} empty="No nodes, workloads or events in this cluster." retry={() => q.refetch()}>
      <p className="big">
        <Link to={`/clusters/${encodeURIComponent(name)}`}>{name}</Link>: {nodes.filter((n) => n.ready).length} of {nodes.length} nodes ready
      </p>
      <ul className="rows">
        {workloads.map(([kind, items]) => (
          <li key={kind}>
            {items?.length ?? 0} {kind}
          </li>
        ))}
        <li>{d?.events?.length ?? 0} events</li>
        {failed.map(([part, why]) => (
          <li key={part} className="bad">
            {part}: could not be read ({why})
          </li>
        ))}
      </ul>
    </CardFrame>
  );
}
