import { useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Dashboard, type Place } from "../../lib/api";
import type { CardChange } from "./catalog";

const key = ["dashboards"];
const firstName = "My dashboard";

// useDashboard is the user's dashboard (their first) and the changes to it. Each change carries the version it was made
// from, so changes run one after another, each from the answer before.
export function useDashboard() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: key, queryFn: api.dashboards });
  // A user with no dashboard is onboarded (features/onboarding), which
  // makes their first; or they skip it and start with an empty one.
  const create = useMutation({
    mutationFn: () => api.createDashboard(firstName),
    onSuccess: (d) => qc.setQueryData(key, [d]),
  });

  const queue = useRef(Promise.resolve());
  const [unsaved, setUnsaved] = useState(0);
  const change = useMutation({
    mutationFn: (f: (d: Dashboard) => Promise<Dashboard>) => {
      setUnsaved((n) => n + 1);
      const run = queue.current.then(async () => {
        const current = qc.getQueryData<Dashboard[]>(key)?.[0];
        if (!current) throw new Error("The dashboard is not loaded yet.");
        const next = await f(current);
        qc.setQueryData<Dashboard[]>(key, (ds) => [next, ...(ds ?? []).slice(1)]);
      });
      queue.current = run.catch(() => undefined).finally(() => setUnsaved((n) => n - 1));
      return run;
    },
    // A conflict (changed in another tab) or any failure: read it again.
    onError: () => qc.invalidateQueries({ queryKey: key }),
  });

  return {
    dashboard: list.data?.[0],
    loading: list.isPending || create.isPending,
    needsFirst: list.data?.length === 0,
    skipOnboarding: () => create.mutate(),
    error: list.error ?? create.error,
    changeError: change.error,
    // saved says whether every change made so far is stored.
    saved: change.isIdle ? undefined : unsaved === 0 && !change.isError,
    retry: () => (list.error ? list.refetch() : create.mutate()),
    add: (type: string, place: Place, config: Record<string, unknown>) => change.mutate((d) => api.addCard(d, type, place, config)),
    swapOrConfigure: (card: number, c: CardChange) =>
      change.mutate((d) => (c.kind === "swap" ? api.swapCard(d, card, c.type, c.config) : api.configureCard(d, card, c.config))),
    move: (card: number, place: Place) => change.mutate((d) => api.moveCard(d, card, place)),
    remove: (card: number) => change.mutate((d) => api.removeCard(d, card)),
  };
}
