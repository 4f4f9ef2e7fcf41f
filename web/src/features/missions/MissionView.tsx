import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Mission, type MissionEvent } from "../../lib/api";
import { Outcome } from "../../components/Outcome";
import { active, describe, lastSeq, merge } from "./missionState";

const kinds = ["message", "tool_call", "plan", "applied", "error", "tokens"];

// MissionView shows one mission: its events as they stream in, the diff of
// each change it plans, and approve or refuse while it waits for you.
export function MissionView({ id, onChange }: { id: number; onChange: () => void }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["mission", id], queryFn: () => api.mission(id) });
  const [events, setEvents] = useState<MissionEvent[]>([]);
  const [status, setStatus] = useState<Mission["status"]>();
  const [streamError, setStreamError] = useState("");
  useEffect(() => {
    if (!q.data) return;
    setEvents((have) => merge(have, q.data.events ?? []));
    setStatus(q.data.mission.status);
  }, [q.data]);
  const following = status !== undefined && active(status);
  useEffect(() => {
    if (!following) return;
    const es = new EventSource(`/api/missions/${id}/stream?after=${lastSeq(events)}`);
    for (const k of kinds) es.addEventListener(k, (e) => setEvents((have) => merge(have, [JSON.parse((e as MessageEvent).data)])));
    es.addEventListener("end", (e) => {
      es.close();
      setStatus(JSON.parse((e as MessageEvent).data).status);
      onChange();
    });
    // EventSource would reconnect at once, forever; instead say so and stop.
    es.onerror = () => {
      es.close();
      setStreamError("The mission's stream broke off; reload to follow it again.");
    };
    return () => es.close();
    // events is read once, for where to start; the stream adds the rest.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, following]);
  const decide = useMutation({
    mutationFn: (approve: boolean) => (approve ? api.approveMission(id) : api.refuseMission(id)),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["mission", id] });
      onChange();
    },
  });
  if (q.isPending) return <Outcome kind="loading" message={`Loading mission ${id}…`} />;
  if (q.error) return <Outcome kind="error" message={q.error.message} retry={() => q.refetch()} />;
  const m = q.data.mission;
  return (
    <section aria-labelledby="mission-title" className="mission" data-status={status}>
      <h2 id="mission-title">
        Mission #{m.id}: {m.goal}
      </h2>
      <p role="status">
        Status: <strong>{(status ?? m.status).replace("_", " ")}</strong>
        {following && " (following live)"}
      </p>
      {streamError && (
        <p role="alert" className="error">
          {streamError}
        </p>
      )}
      <ol className="rows mission-events" aria-label="Mission events">
        {events.map((e) => (
          <li key={e.seq} data-kind={e.kind} className={e.kind === "error" ? "bad" : undefined}>
            {describe(e)}
            {e.kind === "plan" && (
              <pre className="diff" tabIndex={0} aria-label={`Diff of step ${e.seq}`}>
                {String(e.payload.preview ?? "")}
              </pre>
            )}
          </li>
        ))}
      </ol>
      {status === "awaiting_approval" && (
        <div className="decide">
          <button type="button" className="primary" onClick={() => decide.mutate(true)} disabled={decide.isPending}>
            {decide.isPending && decide.variables ? "Applying…" : "Approve and apply"}
          </button>{" "}
          <button type="button" onClick={() => decide.mutate(false)} disabled={decide.isPending}>
            Refuse
          </button>
        </div>
      )}
      {decide.error && (
        <p role="alert" className="error">
          {decide.error.message}
        </p>
      )}
    </section>
  );
}
