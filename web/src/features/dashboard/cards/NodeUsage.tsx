import { lazy, Suspense, useMemo } from "react";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { bytes, cpu, usageText, type NodeUsage as Usage } from "./insights";

// Chart.js comes with this card only, not with the first page.
const UsageChart = lazy(() => import("./UsageChart"));

// NodeUsage charts each node's CPU and memory in use against its
// allocatable, with a table of the same figures (what a screen reader and
// a page without the chart yet read).
export function NodeUsage({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Usage>("insights/top_nodes", scope(config), 30_000);
  const bars = useMemo(() => rows.map((n) => ({ label: `${n.cluster}/${n.name}`, cpu: n.cpu_percent, memory: n.memory_percent })), [rows]);
  const summary = `CPU and memory in use, in percent of allocatable: ${rows
    .map((n) => `${n.cluster}/${n.name} CPU ${n.cpu_percent ?? "unknown"}%, memory ${n.memory_percent ?? "unknown"}%`)
    .join("; ")}`;
  return (
    <CardFrame {...props} view={view(rows.length)} empty="No node has usage reported." retry={restart}>
      <Suspense fallback={<p className="muted">Drawing the chart…</p>}>
        <UsageChart bars={bars} summary={summary} />
      </Suspense>
      <table>
        <caption className="sr-only">Node use</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">CPU</th>
            <th scope="col">Memory</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((n) => (
            <tr key={`${n.cluster}/${n.name}`}>
              <td>
                <span className="muted">{n.cluster}/</span>
                {n.name}
              </td>
              <td className={(n.cpu_percent ?? 0) >= 85 ? "bad" : undefined}>{usageText(n.cpu_percent, cpu(n.cpu_millicores))}</td>
              <td className={(n.memory_percent ?? 0) >= 85 ? "bad" : undefined}>{usageText(n.memory_percent, bytes(n.memory_bytes))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
