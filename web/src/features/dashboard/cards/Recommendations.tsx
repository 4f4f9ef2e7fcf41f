import { useEffect, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Dashboard, type Recommendation, type Recommendations as Recs } from "../../../lib/api";
import { answeredAt, cardView, type Part } from "../../../lib/cardState";
import { useNow } from "../../../lib/useNow";
import type { CardProps } from "../registry";
import { CardFrame } from "../CardFrame";
import { scope } from "../scope";
import { recommendationsQuery, refreshMs } from "./recommendations";


// Recommendations shows the cards the console's rules (and the model: in
// high AI mode always, in medium when the person asks) think worth adding, each with the facts behind
// it. Accept adds the card to this dashboard; snooze hides it for a day.
// Either way the suggestion leaves the list at once. The model's ranking
// is asked once a click (recommendationsQuery); Back to the rules' order
// resumes the rules' list, refreshed every minute.
export function Recommendations({ config, ...props }: CardProps) {
  const { cluster = "", namespace = "" } = scope(config);
  const [byModel, setByModel] = useState(false);
  const key = recommendationsQuery(cluster, namespace, byModel).queryKey;
  const qc = useQueryClient();
  const q = useQuery(recommendationsQuery(cluster, namespace, byModel));
  // High AI mode ranks unasked: once, when the card first has the rules'
  // list, as a click would; the list refreshed every minute stays the rules'.
  const [rankedUnasked, setRankedUnasked] = useState(false);
  const high = q.data?.usage?.mode === "high";
  useEffect(() => {
    if (high && !rankedUnasked) {
      setRankedUnasked(true);
      setByModel(true);
    }
  }, [high, rankedUnasked]);
  const now = useNow();
  const drop = (id: string) =>
    qc.setQueryData<Recs>(key, (r) => r && { ...r, recommendations: (r.recommendations ?? []).filter((x) => x.id !== id) });
  const accept = useMutation({
    mutationFn: (r: Recommendation) => api.acceptRecommendation(r.id),
    onSuccess: (d, r) => {
      drop(r.id);
      qc.setQueryData<Dashboard[]>(["dashboards"], (ds) => ds?.map((x) => (x.id === d.id ? d : x)));
    },
  });
  const snooze = useMutation({ mutationFn: (r: Recommendation) => api.snoozeRecommendation(r.id), onSuccess: (_, r) => drop(r.id) });
  const recs = q.data?.recommendations ?? [];
  const unchecked = q.data?.unchecked ?? [];
  const { down, allDown } = useDown(cluster);
  // With every cluster in scope unreachable, nothing could be checked: offline, not "nothing to recommend".
  const checked = allDown && recs.length === 0 ? [] : [{ cluster: "all", ok: true, at: q.dataUpdatedAt }];
  const view = cardView(
    { pending: q.isPending, failed: q.error?.message, at: answeredAt(q), parts: q.data ? [...checked, ...down] : [] },
    recs.length,
    now,
    byModel ? Infinity : 3 * refreshMs,
  );
  const failed = accept.error ?? snooze.error;
  return (
    <CardFrame {...props} view={view} empty="Nothing to recommend: no card would show something new." retry={() => q.refetch()}>
      <p className="muted">
        {q.data?.rankedBy === "model" ? "Ranked and explained by the model." : "Most urgent first, by the console's rules."}
        {q.data?.aiNote && <> {q.data.aiNote}</>}
        {q.data?.rankedBy === "rules" && !byModel && (
          <>
            {" "}
            <button type="button" onClick={() => setByModel(true)}>
              Rank with AI
            </button>
          </>
        )}
        {byModel && (
          <>
            {" "}
            <button type="button" onClick={() => setByModel(false)}>
              Back to the rules' order
            </button>
          </>
        )}
      </p>
      {failed && <p role="alert" className="error">{failed.message}</p>}
      <ul className="rows recs">
        {recs.map((r) => (
          <li key={r.id} data-rec={r.card.type}>
            <strong className={r.severity === "info" ? undefined : "bad"}>{r.title}</strong>{" "}
            <span className="muted">{r.severity}</span>
            <br />
            <span id={`rec-${r.id}`}>
              {r.reason}
              {r.why && (
                <>
                  <br />
                  <em>{r.why}</em>
                </>
              )}
            </span>
            <br />
            <button type="button" onClick={() => accept.mutate(r)} disabled={accept.isPending} aria-describedby={`rec-${r.id}`}>
              Add {r.title}
            </button>{" "}
            <button type="button" onClick={() => snooze.mutate(r)} disabled={snooze.isPending} aria-describedby={`rec-${r.id}`}>
              Snooze {r.title} a day
            </button>
          </li>
        ))}
      </ul>
      {unchecked.length > 0 && (
        <details>
          <summary>{unchecked.length} could not be checked</summary>
          <ul>
            {unchecked.map((u) => (
              <li key={u}>{u}</li>
            ))}
          </ul>
        </details>
      )}
    </CardFrame>
  );
}

// useDown is the clusters in scope that the console cannot reach (its
// clusters list, which the cluster health card shares), as the parts of
// the card's view, and whether that is every one.
function useDown(cluster: string): { down: Part[]; allDown: boolean } {
  const q = useQuery({ queryKey: ["clusters"], queryFn: api.clusters, refetchInterval: 30_000 });
  const inScope = (q.data ?? []).filter((c) => cluster === "" || c.name === cluster);
  const down = inScope.filter((c) => !c.reachable).map((c) => ({ cluster: c.name, ok: false, offline: true, message: c.error, at: q.dataUpdatedAt }));
  return { down, allDown: inScope.length > 0 && down.length === inScope.length };
}
