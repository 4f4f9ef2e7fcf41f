import { useEffect, useRef, useSyncExternalStore } from "react";
import { coverage, initialLive, liveKinds, liveReducer, matches, type LiveAction, type LiveChange, type LiveKind, type LiveState } from "./live";

// reopenMs is how long after the live stream was refused or broke off it is
// asked again: a console without live updates (--mcp-url) sees one request
// a minute, not a storm; the cards poll meanwhile.
const reopenMs = 60_000;
// lingerMs keeps the stream open a moment after its last card goes, so
// moving between pages does not restart the watches.
const lingerMs = 5_000;

type Listener = (ch: LiveChange | "resync") => void;

// connection is the page's one /api/live stream of every kind the cards
// follow, in every cluster and namespace, shared by the cards; open while
// some card listens.
const connection = (() => {
  let state = initialLive();
  let es: EventSource | undefined;
  let reopen: number | undefined;
  let linger: number | undefined;
  const changes = new Set<Listener>();
  const watchers = new Set<() => void>();
  const dispatch = (a: LiveAction) => {
    state = liveReducer(state, a);
    watchers.forEach((f) => f());
  };
  function open() {
    state = initialLive();
    es = new EventSource(`/api/live?kinds=${liveKinds.join(",")}`);
    const on = (name: string, f: (d: any) => void) => es!.addEventListener(name, (e) => f(JSON.parse((e as MessageEvent).data)));
    on("watching", (d) => dispatch({ type: "watching", cluster: d.cluster, kind: d.kind }));
    on("watch_error", (d) => dispatch({ type: "watch_error", cluster: d.cluster, kind: d.kind }));
    on("ready", (d) => dispatch({ type: "ready", watching: d.watching }));
    on("change", (d: LiveChange) => changes.forEach((f) => f(d)));
    on("resync", () => changes.forEach((f) => f("resync")));
    // Refused (501, 401), nothing watched, or broken off: EventSource would
    // retry at once, forever; we ask again later.
    es.onerror = () => {
      close();
      reopen = window.setTimeout(open, reopenMs);
    };
  }
  function close() {
    es?.close();
    es = undefined;
    window.clearTimeout(reopen);
    dispatch({ type: "closed" });
  }
  return {
    state: () => state,
    watch(f: () => void) {
      watchers.add(f);
      return () => void watchers.delete(f);
    },
    listen(f: Listener) {
      changes.add(f);
      window.clearTimeout(linger);
      if (!es && reopen === undefined) open();
      return () => {
        changes.delete(f);
        if (changes.size === 0) linger = window.setTimeout(() => (close(), (reopen = undefined)), lingerMs);
      };
    },
  };
})();

export const throttleMs = 300;

// useLive calls refresh shortly after a change of kind in the card's scope
// (one call for a burst of them) and after a resync; it says how much of
// kind is watched in the scope's clusters: "full" lets the card poll less.
// No kind: nothing.
export function useLive(kind: LiveKind | undefined, scope: { cluster?: string; namespace?: string }, refresh: () => void) {
  const state: LiveState = useSyncExternalStore(connection.watch, connection.state);
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  const { cluster, namespace } = scope;
  useEffect(() => {
    if (!kind) return;
    let timer: number | undefined;
    const stop = connection.listen((ch) => {
      if (timer !== undefined || (ch !== "resync" && !matches(ch, kind, { cluster, namespace }))) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        refreshRef.current();
      }, throttleMs);
    });
    return () => {
      stop();
      window.clearTimeout(timer);
    };
  }, [kind, cluster, namespace]);
  return kind ? coverage(state, kind, cluster) : "none";
}
