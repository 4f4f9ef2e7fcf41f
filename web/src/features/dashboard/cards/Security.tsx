import { bySeverity, type SecurityFinding } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { Where } from "../../../components/Where";

// Security shows security_scan's findings: unsafe pod settings, the worst
// first, each with its fix.
export function Security({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<SecurityFinding>("security", scope(config), 60_000);
  const findings = [...rows].sort(bySeverity);
  return (
    <CardFrame {...props} view={view(findings.length)} empty="No unsafe settings found." retry={restart}>
      <table>
        <caption className="sr-only">Security findings</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Object</th>
            <th scope="col">Check</th>
            <th scope="col">Fix</th>
          </tr>
        </thead>
        <tbody>
          {findings.slice(0, 50).map((f, i) => (
            <tr key={`${f.cluster}/${f.namespace}/${f.object}/${f.container}/${f.check}/${i}`}>
              <td className={f.severity === "info" ? undefined : "bad"}>{f.severity}</td>
              <td>
                <Where cluster={f.cluster} namespace={f.namespace}>
                  {f.object}
                </Where>
                {f.container && <span className="muted"> ({f.container})</span>}
              </td>
              <td title={f.detail}>{f.check}</td>
              <td>{f.fix}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </CardFrame>
  );
}
