import { cardView, fromStream } from "../../../lib/cardState";
import type { KubeEvent } from "../../../lib/kube";
import { items } from "../../../lib/stream";
import { useNow } from "../../../lib/useNow";
import { useStream } from "../../../lib/useStream";
import type { CardProps } from "../catalog";
import { CardFrame } from "../CardFrame";

const refreshMs = 10_000;

export function WarningEvents(props: CardProps) {
  const [stream, restart] = useStream<KubeEvent>("events", { refreshMs });
  const now = useNow();
  const warnings = items(stream)
    .filter((e) => e.type === "Warning")
    .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  const view = cardView(fromStream(stream), warnings.length, now, 3 * refreshMs);
  return (
    <CardFrame {...props} view={view} empty="No warning events." retry={restart}>
      <ul className="rows">
        {warnings.slice(0, 30).map((e, i) => (
          <li key={`${e.cluster}/${e.namespace}/${e.object}/${e.reason}/${i}`}>
            <strong>{e.reason}</strong> <span className="muted">{e.cluster}/{e.namespace} {e.object}</span>
            <br />
            {e.message}
          </li>
        ))}
      </ul>
    </CardFrame>
  );
}
