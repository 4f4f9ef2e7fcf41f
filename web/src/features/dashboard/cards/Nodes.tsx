import type { Node } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";

export function Nodes({ config, ...props }: CardProps) {
  const { rows: nodes, restart, view } = useLiveStream<Node>("nodes", scope(config), 30_000);
  return (
    <CardFrame {...props} view={view(nodes.length)} empty="No nodes." retry={restart}>
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
