import type { Row } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { Where } from "../../../components/Where";

// Services shows each service's type, address and ports.
export function Services({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Row>("services", scope(config), 30_000);
  return (
    <CardFrame {...props} view={view(rows.length)} empty="No services." retry={restart}>
      <table>
        <caption className="sr-only">Services</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Type</th>
            <th scope="col">Cluster IP</th>
            <th scope="col">Ports</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 50).map((s) => (
            <tr key={`${s.cluster}/${s.namespace}/${s.name}`}>
              <td>
                <Where cluster={s.cluster} namespace={s.namespace}>
                  {s.name}
                </Where>
              </td>
              <td>{s.cells["TYPE"]}</td>
              <td>{s.cells["CLUSTER-IP"]}</td>
              <td>{s.cells["PORT(S)"]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
