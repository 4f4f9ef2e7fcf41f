import type { KubeEvent } from "../../../lib/kube";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { useLiveStream } from "../../../lib/useLiveStream";
import { scope } from "../scope";

// Events shows the newest events of every cluster, warnings marked.
export function Events({ config, ...props }: CardProps) {
  const { rows, restart, view } = useLiveStream<KubeEvent>("events", scope(config), 10_000, "events");
  const events = [...rows].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  return (
    <CardFrame {...props} view={view(events.length)} empty="No events." retry={restart}>
      <ul className="rows">
        {events.slice(0, 30).map((e, i) => (
          <li key={`${e.cluster}/${e.namespace}/${e.object}/${e.reason}/${i}`} className={e.type === "Warning" ? "bad" : undefined}>
            <strong>{e.reason}</strong> <span className="muted">{e.type} · {e.cluster}/{e.namespace} {e.object}</span>
            <br />
            {e.message}
          </li>
        ))}
      </ul>
    </CardFrame>
  );
}
