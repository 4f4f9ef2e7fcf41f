import { rolloutIssue, type Row } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { Where } from "../../../components/Where";

// Deployments shows each deployment's ready replicas, those not fully
// rolled out first.
export function Deployments({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Row>("deployments", scope(config), 15_000);
  const deps = rows.map((r) => ({ ...r, issue: rolloutIssue(r) })).sort((a, b) => Number(b.issue !== "") - Number(a.issue !== ""));
  const stuck = deps.filter((d) => d.issue).length;
  return (
    <CardFrame {...props} view={view(deps.length)} empty="No deployments." retry={restart}>
      <p>
        {deps.length} deployments, <strong className={stuck ? "bad" : "good"}>{stuck} not fully available</strong>
      </p>
      <table>
        <caption className="sr-only">Deployments</caption>
        <thead>
          <tr>
            <th scope="col">Deployment</th>
            <th scope="col">Ready</th>
            <th scope="col">Available</th>
          </tr>
        </thead>
        <tbody>
          {deps.slice(0, 50).map((d) => (
            <tr key={`${d.cluster}/${d.namespace}/${d.name}`}>
              <td>
                <Where cluster={d.cluster} namespace={d.namespace}>
                  {d.name}
                </Where>
              </td>
              <td className={d.issue ? "bad" : "good"}>{d.issue || d.cells["READY"]}</td>
              <td>{d.cells["AVAILABLE"]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
