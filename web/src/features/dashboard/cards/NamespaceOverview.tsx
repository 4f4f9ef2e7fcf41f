import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import type { Overview } from "./insights";

// NamespaceOverview shows namespace_overview per cluster: objects by kind
// and status, and how many issues and warnings there are.
export function NamespaceOverview({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Overview>("insights/overview", scope(config), 30_000);
  return (
    <CardFrame {...props} view={view(rows.length)} empty="Nothing to show." retry={restart}>
      {rows.map((o) => (
        <div key={o.cluster}>
          <p>
            <span className="muted">{o.cluster}/</span>
            <strong>{o.namespace}</strong>:{" "}
            <span className={o.issues_found ? "bad" : "good"}>{o.issues_found} issues</span>, {o.warnings.length} recent warnings
          </p>
          <table>
            <caption className="sr-only">Objects in {o.namespace}</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Total</th>
                <th scope="col">By status</th>
              </tr>
            </thead>
            <tbody>
              {o.counts.map((k) => (
                <tr key={k.kind}>
                  <td>{k.kind}</td>
                  <td>{k.total}</td>
                  <td>
                    {Object.entries(k.by_status ?? {})
                      .map(([s, n]) => `${s} ${n}`)
                      .join(", ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </CardFrame>
  );
}
