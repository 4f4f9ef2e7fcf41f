import { useEffect, useReducer, useRef, useState } from "react";
import { initialStream, streamReducer, type StreamAction, type StreamState } from "./stream";

// The lists of /api/stream/{kind}, and the cards' insights of
// /api/insights/{kind}, which streams in the same shape.
export type StreamKind =
  | "pods"
  | "events"
  | "nodes"
  | "deployments"
  | "services"
  | "issues"
  | "security"
  | "insights/overview"
  | "insights/top_pods"
  | "insights/top_nodes"
  | "insights/usage"
  | "insights/access";

const pathOf = (kind: StreamKind) => (kind.startsWith("insights/") ? `/api/${kind}` : `/api/stream/${kind}`);

// clientDeadlineMs outlasts the console's own stream deadline (30 s by
// default), so the console's per-cluster answer arrives first; this only
// ends a stream the console never ended.
export const clientDeadlineMs = 45_000;

export interface StreamOptions {
  cluster?: string;
  namespace?: string;
  refreshMs?: number; // ask again this long after each stream ends
}

// useStream follows /api/stream/{kind}: one EventSource at a time, closed
// at done, on error (no automatic reconnect storm) and at the deadline;
// asked again every refreshMs (read when each stream ends, so a new
// interval does not interrupt one), at once by calling restart, or by
// calling soon: at once, or when the stream in flight ends.
export function useStream<T>(kind: StreamKind, opts: StreamOptions = {}): [StreamState<T>, () => void, () => void] {
  const [state, dispatch] = useReducer(streamReducer<T>, undefined, initialStream<T>);
  const [asked, setAsked] = useState(0);
  const { cluster = "", namespace = "", refreshMs } = opts;
  const refresh = useRef(refreshMs);
  refresh.current = refreshMs;
  const soon = useRef(() => {});
  // A new scope starts from nothing; a refresh or restart keeps what was shown.
  useEffect(() => () => dispatch({ type: "rescoped" }), [kind, cluster, namespace]);
  useEffect(() => {
    let es: EventSource | undefined;
    let deadline: number | undefined;
    let again: number | undefined;
    let inFlight = false;
    let wanted = false; // soon was called while a stream was in flight
    const finish = (a?: StreamAction<T>) => {
      if (a) dispatch(a);
      es?.close();
      inFlight = false;
      window.clearTimeout(deadline);
      if (wanted) open();
      else if (refresh.current) again = window.setTimeout(open, refresh.current);
    };
    function open() {
      window.clearTimeout(again);
      inFlight = true;
      wanted = false;
      dispatch({ type: "start" });
      const q = new URLSearchParams();
      if (cluster) q.set("cluster", cluster);
      if (namespace) q.set("namespace", namespace);
      es = new EventSource(`${pathOf(kind)}?${q}`);
      deadline = window.setTimeout(
        () => finish({ type: "failed", error: `The console did not finish the ${kind} stream within ${clientDeadlineMs / 1000} s.`, at: Date.now() }),
        clientDeadlineMs,
      );
      listen(es, dispatch, finish, `The ${kind} stream broke off${refresh.current ? "; it is asked again shortly" : ""}.`);
    }
    soon.current = () => {
      if (inFlight) wanted = true;
      else open();
    };
    open();
    return () => {
      es?.close();
      window.clearTimeout(deadline);
      window.clearTimeout(again);
      soon.current = () => {};
    };
  }, [kind, cluster, namespace, asked]);
  return [state, () => setAsked((n) => n + 1), () => soon.current()];
}

function listen<T>(es: EventSource, dispatch: (a: StreamAction<T>) => void, finish: (a?: StreamAction<T>) => void, brokeOff: string) {
  const on = (name: string, f: (d: any) => StreamAction<T>) =>
    es.addEventListener(name, (e) => dispatch(f(JSON.parse((e as MessageEvent).data))));
  on("cluster_data", (d) => ({ type: "cluster_data", cluster: d.cluster, items: d.items, at: Date.now() }));
  on("cluster_error", (d) => ({ type: "cluster_error", cluster: d.cluster, error: d.error, at: Date.now() }));
  on("cluster_skipped", (d) => ({ type: "cluster_skipped", cluster: d.cluster, reason: d.reason, at: Date.now() }));
  es.addEventListener("done", () => finish({ type: "done", at: Date.now() }));
  // An error before done: the stream could not open (signed out, console
  // down) or broke off. EventSource would retry at once, forever; we do not.
  es.onerror = () => finish({ type: "failed", error: brokeOff, at: Date.now() });
}
