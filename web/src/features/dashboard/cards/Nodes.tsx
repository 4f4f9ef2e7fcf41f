import { cardView, fromStream } from "../../../lib/cardState";
import type { Node } from "../../../lib/kube";
import { items } from "../../../lib/stream";
import { useNow } from "../../../lib/useNow";
import { useStream } from "../../../lib/useStream";
import type { CardProps } from "../catalog";
import { CardFrame } from "../CardFrame";

const refreshMs = 30_000;

export function Nodes(props: CardProps) {
  const [stream, restart] = useStream<Node>("nodes", { refreshMs });
  const now = useNow();
  const nodes = items(stream);
  const view = cardView(fromStream(stream), nodes.length, now, 3 * refreshMs);
  return (
    <CardFrame {...props} view={view} empty="No nodes." retry={restart}>
      <table>
        <caption className="sr-only">Nodes</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Status</th>
            <th scope="col">CPU</th>
            <th scope="col">Memory</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={`${n.cluster}/${n.name}`}>
              <td>
                <span className="muted">{n.cluster}/</span>
                {n.name}
              </td>
              <td className={n.ready ? "good" : "bad"}>
                {n.status}
                {n.problems?.length ? ` (${n.problems.join(", ")})` : ""}
              </td>
              <td>{n.allocatable.cpu}</td>
              <td>{n.allocatable.memory}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
