import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { bytes, cpu, top, type PodUsage } from "./insights";
import { Where } from "../../../components/Where";

// TopPods shows the pods using the most CPU, and the most memory, now.
export function TopPods({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<PodUsage>("insights/top_pods", scope(config), 30_000);
  return (
    <CardFrame {...props} view={view(rows.length)} empty="No pod has usage reported." retry={restart}>
      <div className="pair">
        <Top title="By CPU" rows={top(rows, (p) => p.cpu_millicores)} show={(p) => cpu(p.cpu_millicores)} />
        <Top title="By memory" rows={top(rows, (p) => p.memory_bytes)} show={(p) => bytes(p.memory_bytes)} />
      </div>
    </CardFrame>
  );
}

function Top({ title, rows, show }: { title: string; rows: (PodUsage & { cluster: string })[]; show: (p: PodUsage) => string }) {
  return (
    <table>
      <caption>{title}</caption>
      <tbody>
        {rows.map((p) => (
          <tr key={`${p.cluster}/${p.namespace}/${p.name}`}>
            <td>
              <Where cluster={p.cluster} namespace={p.namespace}>
                {p.name}
              </Where>
            </td>
            <td>{show(p)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
