import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { bytes, cpu, type NodeUsage as Usage } from "./insights";

// NodeUsage draws each node's CPU and memory in use against its
// allocatable as two bars (inline SVG: a chart library would outweigh it).
export function NodeUsage({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Usage>("insights/top_nodes", scope(config), 30_000);
  return (
    <CardFrame {...props} view={view(rows.length)} empty="No node has usage reported." retry={restart}>
      <ul className="rows">
        {rows.map((n) => (
          <li key={`${n.cluster}/${n.name}`}>
            <span className="muted">{n.cluster}/</span>
            {n.name}
            <Bar label="CPU" percent={n.cpu_percent} detail={cpu(n.cpu_millicores)} />
            <Bar label="Memory" percent={n.memory_percent} detail={bytes(n.memory_bytes)} />
          </li>
        ))}
      </ul>
    </CardFrame>
  );
}

function Bar({ label, percent, detail }: { label: string; percent?: number; detail: string }) {
  const text = percent === undefined ? `${label}: ${detail} (allocatable unknown)` : `${label}: ${percent}% of allocatable, ${detail}`;
  const width = Math.min(percent ?? 0, 100);
  return (
    <div className="bar">
      <svg viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={text}>
        <rect width="100" height="8" className="bar-track" />
        <rect width={width} height="8" className={(percent ?? 0) >= 85 ? "bar-hot" : "bar-fill"} />
      </svg>
      <span>{text}</span>
    </div>
  );
}
