import { useEffect, useState } from "react";
import { api, ApiError, logPath, type LogLine, type LogQuery } from "../../lib/api";
import { keep } from "./logLines";

export interface LogState {
  lines: LogLine[];
  container?: string;
  dropped: number;
  loading: boolean;
  error?: string; // the log could not be read, or following stopped
  following: boolean;
  at?: number; // when the newest lines arrived
}

// useLog reads a pod's log once, or with follow, through one EventSource:
// the tail, then each batch of new lines, kept within maxLines. It does not
// reconnect on its own: a broken stream says so and the person follows again.
export function useLog(cluster: string, namespace: string, pod: string, q: LogQuery, follow: boolean, asked: number): LogState {
  const [s, set] = useState<LogState>({ lines: [], dropped: 0, loading: true, following: false });
  useEffect(() => {
    let gone = false;
    set((old) => ({ ...old, loading: true, error: undefined, following: follow }));
    if (!follow) {
      api.podLog(cluster, namespace, pod, q).then(
        (l) => !gone && set({ lines: keep([], l.lines), container: l.container, dropped: l.dropped, loading: false, following: false, at: Date.now() }),
        (e: ApiError) => !gone && set((old) => ({ ...old, loading: false, error: e.message })),
      );
      return () => {
        gone = true;
      };
    }
    const es = new EventSource(logPath(cluster, namespace, pod, q, true));
    let first = true;
    es.addEventListener("lines", (e) => {
      const l = JSON.parse((e as MessageEvent).data);
      set((old) => ({
        ...old,
        lines: keep(first ? [] : old.lines, l.lines ?? []),
        container: l.container,
        dropped: first ? l.dropped : old.dropped,
        loading: false,
        at: Date.now(),
      }));
      first = false;
    });
    const stop = (error: string) => {
      es.close();
      set((old) => ({ ...old, loading: false, following: false, error }));
    };
    es.addEventListener("end", (e) => stop(`Following stopped: ${JSON.parse((e as MessageEvent).data).reason}.`));
    // Before any line: the console refused (the answer is not a stream);
    // after: the stream broke off. EventSource would retry at once, forever.
    es.onerror = () => stop(first ? "The log could not be read; read it without following to see why." : "The log stream broke off; follow again to go on.");
    return () => es.close();
  }, [cluster, namespace, pod, q.container, q.tail, q.search, follow, asked]);
  return s;
}
