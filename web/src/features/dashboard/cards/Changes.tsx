import type { KubeEvent } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";
import { isChange } from "./insights";

// Changes shows the events that mean something changed (rollouts, scaling,
// pods made and removed, images pulled), newest first.
export function Changes({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<KubeEvent>("events", scope(config), 15_000, "events");
  const changes = rows.filter(isChange).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return (
    <CardFrame {...props} view={view(changes.length)} empty="No changes in the events." retry={restart}>
      <ul className="rows">
        {changes.slice(0, 50).map((e, i) => (
          <li key={i}>
            <strong>{e.reason}</strong>{" "}
            <span className="muted">
              {e.cluster}/{e.namespace} {e.object}
            </span>{" "}
            {e.message}
          </li>
        ))}
      </ul>
    </CardFrame>
  );
}
