import { useMutation, useQuery } from "@tanstack/react-query";
import { api, type SummaryScope } from "../../lib/api";
import { useNow } from "../../lib/useNow";
import { summaryView } from "./summary";

const unaskedEveryMs = 5 * 60_000; // the console makes one at most every 15 min; this only reads it

// Summary is the AI summary of what the console reads for scope (the
// clusters' state when empty): Summarize asks for one (medium or high AI
// mode; in low the console's refusal says which setting enables it), and
// in high mode the one the console made unasked, of the clusters' state,
// shows without a click where the scope is that. A summary shows only
// beside the scope it is of.
export function Summary({ scope = {} }: { scope?: SummaryScope }) {
  const key = [scope.card ?? "", scope.cluster ?? "", scope.namespace ?? ""];
  const ofState = key.every((k) => k === "");
  const unasked = useQuery({ queryKey: ["ai-summary", ...key], queryFn: api.unaskedSummary, refetchInterval: unaskedEveryMs, enabled: ofState });
  const asked = useMutation({ mutationKey: ["ai-summary", ...key], mutationFn: (s: SummaryScope) => api.summarize(s) });
  const askedHere = asked.variables && sameScope(asked.variables, scope) ? asked.data : undefined;
  const now = useNow(30_000);
  const v = summaryView(askedHere, unasked.data, now);
  return (
    <section className="ai-summary" aria-label="AI summary" aria-busy={asked.isPending}>
      <button type="button" onClick={() => asked.mutate(scope)} disabled={asked.isPending}>
        {asked.isPending ? "Summarizing…" : "Summarize"}
      </button>
      {asked.error && <p role="alert" className="error">{asked.error.message}</p>}
      {v.text && (
        <div role="status">
          <p>{v.text}</p>
          <p className="muted">{v.byline}</p>
          {v.unchecked.length > 0 && <p className="muted">Not read: {v.unchecked.join("; ")}</p>}
        </div>
      )}
    </section>
  );
}

function sameScope(a: SummaryScope, b: SummaryScope): boolean {
  return (a.card ?? "") === (b.card ?? "") && (a.cluster ?? "") === (b.cluster ?? "") && (a.namespace ?? "") === (b.namespace ?? "");
}
