import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import type { AccessCheck } from "./insights";

// Access shows what the signed-in user may do in each cluster, as the
// apiserver answers for them (rbac_can_i).
export function Access({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<AccessCheck>("insights/access", scope(config), 60_000);
  const ns = typeof config.namespace === "string" && config.namespace ? `in ${config.namespace}` : "in every namespace";
  return (
    <CardFrame {...props} view={view(rows.length)} empty="Nothing checked." retry={restart}>
      <table>
        <caption>What you may do {ns}</caption>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Verb</th>
            <th scope="col">Resource</th>
            <th scope="col">Allowed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={`${c.cluster}/${c.verb}/${c.resource}`}>
              <td>{c.cluster}</td>
              <td>{c.verb}</td>
              <td>{c.resource}</td>
              <td className={c.allowed ? "good" : "bad"} title={c.reason}>
                {c.allowed ? "yes" : "no"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
