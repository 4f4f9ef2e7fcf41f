import { useMemo, useRef } from "react";
import { cardView, fromStream, type CardView } from "./cardState";
import type { LiveKind } from "./live";
import { items } from "./stream";
import { useLive } from "./useLive";
import { useNow } from "./useNow";
import { useStream, type StreamKind } from "./useStream";

// liveSlack is how much less often a stream is asked again while every
// cluster's watch of its kind runs: changes ask again at once, and the poll
// is only a safety net.
const liveSlack = 4;

// useLiveStream is what a card or page fed by a stream needs: the rows of
// every cluster in scope, asked again every refreshMs, and the view once it
// knows how many rows it shows. With a live kind, a change of that kind in
// scope asks again at once (/api/live), and polling stays for clusters
// whose watch failed.
export function useLiveStream<T>(kind: StreamKind, scope: { cluster?: string; namespace?: string }, refreshMs: number, live?: LiveKind) {
  const soon = useRef(() => {}); // useStream's refresh, which comes after the live hook it serves
  const cover = useLive(live, scope, () => soon.current());
  const every = cover === "full" ? liveSlack * refreshMs : refreshMs;
  const [stream, restart, refresh] = useStream<T>(kind, { ...scope, refreshMs: every });
  soon.current = refresh;
  const now = useNow(); // re-renders every few seconds: the rows are flattened only when the stream changes
  const rows = useMemo(() => items(stream), [stream]);
  return {
    stream,
    rows,
    restart,
    view: (shown: number): CardView => ({ ...cardView(fromStream(stream), shown, now, 3 * every), live: cover !== "none" }),
  };
}
