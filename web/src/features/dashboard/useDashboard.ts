import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Dashboard, type Place } from "../../lib/api";

const key = ["dashboards"];
const firstName = "My dashboard";

// useDashboard is the user's dashboard (their first; made when they have
// none) and the changes to it. Each change carries the version it was made
// from, so changes run one after another, each from the answer before.
export function useDashboard() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: key, queryFn: api.dashboards });
  const create = useMutation({
    mutationFn: () => api.createDashboard(firstName),
    onSuccess: (d) => qc.setQueryData(key, [d]),
  });
  const madeFirst = useRef(false); // once, though StrictMode runs effects twice
  const wantsFirst = list.data?.length === 0;
  useEffect(() => {
    if (wantsFirst && !madeFirst.current) {
      madeFirst.current = true;
      create.mutate();
    }
  }, [wantsFirst, create]);

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
    error: list.error ?? create.error,
    changeError: change.error,
    // saved says whether every change made so far is stored.
    saved: change.isIdle ? undefined : unsaved === 0 && !change.isError,
    retry: () => (list.error ? list.refetch() : create.mutate()),
    add: (type: string, place: Place) => change.mutate((d) => api.addCard(d, type, place)),
    move: (card: number, place: Place) => change.mutate((d) => api.moveCard(d, card, place)),
    remove: (card: number) => change.mutate((d) => api.removeCard(d, card)),
  };
}
