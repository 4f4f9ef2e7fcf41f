import { podIssue, type Pod } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { Where } from "../../../components/Where";

// Pods lists pods with their status and restarts, those with an issue
// first, so a pod that starts failing comes to the top.
export function Pods({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Pod>("pods", scope(config), 15_000, "pods");
  const pods = rows.map((p) => ({ ...p, issue: podIssue(p) })).sort((a, b) => Number(b.issue !== "") - Number(a.issue !== ""));
  const failing = pods.filter((p) => p.issue !== "").length;
  return (
    <CardFrame {...props} view={view(pods.length)} empty="No pods." retry={restart}>
      <p>
        {pods.length} pods, <strong className={failing ? "bad" : "good"}>{failing} with an issue</strong>
      </p>
      <table>
        <caption className="sr-only">Pods</caption>
        <thead>
          <tr>
            <th scope="col">Pod</th>
            <th scope="col">Status</th>
            <th scope="col">Restarts</th>
          </tr>
        </thead>
        <tbody>
          {pods.slice(0, 50).map((p) => (
            <tr key={`${p.cluster}/${p.namespace}/${p.name}`}>
              <td>
                <Where cluster={p.cluster} namespace={p.namespace}>
                  {p.name}
                </Where>
              </td>
              <td className={p.issue ? "bad" : "good"}>{p.issue || p.status}</td>
              <td>{p.restarts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
