import { cardView, fromStream } from "../../../lib/cardState";
import { podIssue, type Pod } from "../../../lib/kube";
import { items } from "../../../lib/stream";
import { useNow } from "../../../lib/useNow";
import { useStream } from "../../../lib/useStream";
import type { CardProps } from "../catalog";
import { CardFrame } from "../CardFrame";

const refreshMs = 15_000;

export function PodIssues(props: CardProps) {
  const [stream, restart] = useStream<Pod>("pods", { refreshMs });
  const now = useNow();
  const issues = items(stream)
    .map((p) => ({ ...p, issue: podIssue(p) }))
    .filter((p) => p.issue !== "");
  const view = cardView(fromStream(stream), issues.length, now, 3 * refreshMs);
  return (
    <CardFrame {...props} view={view} empty="No pod has an issue." retry={restart}>
      <table>
        <caption className="sr-only">Pods with issues</caption>
        <thead>
          <tr>
            <th scope="col">Pod</th>
            <th scope="col">Issue</th>
            <th scope="col">Restarts</th>
          </tr>
        </thead>
        <tbody>
          {issues.slice(0, 50).map((p) => (
            <tr key={`${p.cluster}/${p.namespace}/${p.name}`}>
              <td>
                <span className="muted">
                  {p.cluster}/{p.namespace}/
                </span>
                {p.name}
              </td>
              <td className="bad">{p.issue}</td>
              <td>{p.restarts}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
