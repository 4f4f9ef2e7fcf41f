import { bySeverity, type Finding } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { Where } from "../../../components/Where";

// Issues shows find_issues's findings: failing pods, stuck rollouts, sick
// nodes, the worst first, each with its evidence.
export function Issues({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<Finding>("issues", scope(config), 20_000, "pods");
  const findings = [...rows].sort(bySeverity);
  return (
    <CardFrame {...props} view={view(findings.length)} empty="No issues found." retry={restart}>
      <table>
        <caption className="sr-only">Issues</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Object</th>
            <th scope="col">Reason</th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {findings.slice(0, 50).map((f, i) => (
            <tr key={`${f.cluster}/${f.namespace}/${f.kind}/${f.name}/${f.reason}/${i}`}>
              <td className={f.severity === "info" ? undefined : "bad"}>{f.severity}</td>
              <td>
                <Where cluster={f.cluster} namespace={f.namespace}>
                  {f.kind.toLowerCase()}/{f.name}
                </Where>
              </td>
              <td>{f.reason}</td>
              <td>{f.evidence}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
