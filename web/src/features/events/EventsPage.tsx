import { useState } from "react";
import type { KubeEvent } from "../../lib/kube";
import { useLiveStream } from "../../lib/useLiveStream";
import { ClusterProblems, Outcome } from "../../components/Outcome";
import { AsOf } from "../../components/AsOf";
import { timeOf } from "../../lib/useNow";
import { matches, noFilter, type EventFilter } from "./filter";

const refreshMs = 10_000;

// EventsPage follows the events of every cluster, newest first, filtered
// here as one types; a new event shows at once where events are watched.
export function EventsPage() {
  const { stream, rows: all, restart, view: viewOf } = useLiveStream<KubeEvent>("events", {}, refreshMs, "events");
  const [f, setF] = useState<EventFilter>(noFilter);
  const shown = all.filter((e) => matches(e, f)).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
  const view = viewOf(all.length);
  const clusters = Object.keys(stream.clusters).sort();
  const set = (k: keyof EventFilter) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <section aria-labelledby="events-title" data-live={view.live || undefined}>
      <div className="page-head">
        <h1 id="events-title">Events</h1>
        <span className="asof" aria-live="polite">
          <AsOf {...view} updating={stream.phase === "connecting" || stream.phase === "open"} />
        </span>
      </div>
      <form className="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <label>
          Cluster
          <select value={f.cluster} onChange={set("cluster")}>
            <option value="">All clusters</option>
            {clusters.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Namespace
          <input value={f.namespace} onChange={set("namespace")} placeholder="any" />
        </label>
        <label>
          Type
          <select value={f.type} onChange={set("type")}>
            <option value="">All types</option>
            <option>Warning</option>
            <option>Normal</option>
          </select>
        </label>
        <label>
          Reason
          <input value={f.reason} onChange={set("reason")} placeholder="any" />
        </label>
        <label>
          Search
          <input type="search" value={f.text} onChange={set("text")} placeholder="object or message" />
        </label>
      </form>
      <ClusterProblems problems={view.problems} />
      {view.kind === "loading" ? (
        <Outcome kind="loading" message="Asking every cluster for its events…" />
      ) : view.kind === "error" || view.kind === "offline" ? (
        <Outcome kind="error" message={view.message ?? "No cluster answered."} retry={restart} />
      ) : (
        <EventTable events={shown} total={all.length} />
      )}
    </section>
  );
}

function EventTable({ events, total }: { events: (KubeEvent & { cluster: string })[]; total: number }) {
  return (
    <>
      <p role="status">
        {events.length} of {total} events
      </p>
      {events.length > 0 && (
        <table className="wide events">
          <caption className="sr-only">Events</caption>
          <thead>
            <tr>
              <th scope="col">Last seen</th>
              <th scope="col">Cluster</th>
              <th scope="col">Namespace</th>
              <th scope="col">Type</th>
              <th scope="col">Reason</th>
              <th scope="col">Object</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {events.slice(0, 500).map((e, i) => (
              <tr key={`${e.cluster}/${e.namespace}/${e.object}/${e.reason}/${i}`}>
                <td>{timeOf(Date.parse(e.lastSeen))}</td>
                <td>{e.cluster}</td>
                <td>{e.namespace}</td>
                <td className={e.type === "Warning" ? "bad" : ""}>{e.type}</td>
                <td>{e.reason}</td>
                <td>{e.object}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
