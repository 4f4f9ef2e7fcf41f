import { api } from "../../../lib/api";

export const refreshMs = 60_000;

// recommendationsQuery is how the Recommendations card asks for its list:
// the rules' list refreshes every minute and when the window regains
// focus; the model's ranking spends the person's tokens, so it is asked
// once a click and never refreshed on its own, nor kept once left.
export function recommendationsQuery(cluster: string, namespace: string, byModel: boolean) {
  return {
    queryKey: ["recommendations", cluster, namespace, byModel],
    queryFn: () => api.recommendations(cluster, namespace, byModel),
    refetchInterval: byModel ? (false as const) : refreshMs,
    refetchOnWindowFocus: !byModel,
    refetchOnReconnect: !byModel,
    staleTime: byModel ? Infinity : 0,
    gcTime: byModel ? 0 : 5 * 60_000,
  };
}
