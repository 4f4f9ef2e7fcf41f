import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { api } from "../../lib/api";
import { Outcome } from "../../components/Outcome";
import { MissionView } from "./MissionView";

// MissionsPage starts a mission from a goal in words, shows the chosen one
// (?id=) as it runs, and the history.
export function MissionsPage() {
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const chosen = Number(params.get("id")) || undefined;
  const list = useQuery({ queryKey: ["missions"], queryFn: api.missions });
  const [goal, setGoal] = useState("");
  const start = useMutation({
    mutationFn: () => api.createMission(goal),
    onSuccess: (m) => {
      setGoal("");
      setParams({ id: String(m.id) });
      qc.invalidateQueries({ queryKey: ["missions"] });
    },
  });
  const usage = list.data?.usage;
  return (
    <section aria-labelledby="missions-title" className="missions">
      <h1 id="missions-title">AI missions</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <label htmlFor="goal">Goal</label>
        <textarea id="goal" rows={3} value={goal} onChange={(e) => setGoal(e.target.value)} placeholder="e.g. find why the web pods restart, and fix it" />
        <button type="submit" className="primary" disabled={goal.trim() === "" || start.isPending}>
          {start.isPending ? "Starting…" : "Start mission"}
        </button>{" "}
        {usage && (
          <span className="muted">
            {usage.usedToday} of {usage.limit} tokens used today
          </span>
        )}
        {start.error && (
          <p role="alert" className="error">
            {start.error.message}
          </p>
        )}
      </form>
      {chosen && <MissionView key={chosen} id={chosen} onChange={() => qc.invalidateQueries({ queryKey: ["missions"] })} />}
      <h2>History</h2>
      {list.isPending ? (
        <Outcome kind="loading" message="Loading your missions…" />
      ) : list.error ? (
        <Outcome kind="error" message={list.error.message} retry={() => list.refetch()} />
      ) : (list.data.missions ?? []).length === 0 ? (
        <p>No missions yet.</p>
      ) : (
        <ul className="rows history">
          {(list.data.missions ?? []).map((m) => (
            <li key={m.id}>
              <button type="button" className="link" onClick={() => setParams({ id: String(m.id) })} aria-current={m.id === chosen || undefined}>
                #{m.id} {m.goal}
              </button>{" "}
              <span className={`status-${m.status}`}>{m.status.replace("_", " ")}</span> <span className="muted">{m.tokens} tokens</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
