import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { money, top, type ResourceUse } from "./insights";

// ResourceCost shows resource_usage per cluster: what the workloads'
// requests cost a month, how much of it usage leaves idle, and the
// costliest workloads with their verdicts.
export function ResourceCost({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<ResourceUse>("insights/usage", scope(config), 60_000);
  return (
    <CardFrame {...props} view={view(rows.length)} empty="No workloads." retry={restart}>
      {rows.map((u) => (
        <div key={u.cluster}>
          <p className="big">
            <span className="muted">{u.cluster}: </span>
            {money(u.total.monthly_cost)} a month
            {u.total.unused_monthly_cost > 0 && <span className="muted">, {money(u.total.unused_monthly_cost)} of it unused</span>}
          </p>
          {u.metrics && <p className="note">Usage unknown: {u.metrics}</p>}
          <table>
            <caption className="sr-only">Costliest workloads in {u.cluster}</caption>
            <tbody>
              {top(u.workloads, (w) => w.monthly_cost).map((w) => (
                <tr key={`${w.namespace}/${w.workload}`}>
                  <td>
                    <span className="muted">{w.namespace}/</span>
                    {w.workload}
                  </td>
                  <td>{money(w.monthly_cost)}</td>
                  <td>{w.verdicts?.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </CardFrame>
  );
}
