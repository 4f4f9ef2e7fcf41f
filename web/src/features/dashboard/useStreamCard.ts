import { useRef } from "react";
import { cardView, fromStream, type CardView } from "../../lib/cardState";
import type { LiveKind } from "../../lib/live";
import { items } from "../../lib/stream";
import { useLive } from "../../lib/useLive";
import { useNow } from "../../lib/useNow";
import { useStream, type StreamKind } from "../../lib/useStream";
import { scope } from "./scope";

// liveSlack is how much less often a card polls while every cluster's
// watch of its kind runs: changes ask again at once, and the poll is only
// a safety net.
const liveSlack = 4;

// useStreamCard is what a card fed by a stream needs: the rows of every
// cluster (narrowed by the card's config), asked again every refreshMs,
// and the card's view once it knows how many rows it shows. With a live
// kind, a change of that kind in the card's scope asks again at once
// (/api/live), and polling stays for clusters whose watch failed.
export function useStreamCard<T>(kind: StreamKind, config: Record<string, unknown>, refreshMs: number, live?: LiveKind) {
  const sc = scope(config);
  const soon = useRef(() => {}); // useStream's refresh, which comes after the live hook it serves
  const cover = useLive(live, sc, () => soon.current());
  const every = cover === "full" ? liveSlack * refreshMs : refreshMs;
  const [stream, restart, refresh] = useStream<T>(kind, { ...sc, refreshMs: every });
  soon.current = refresh;
  const now = useNow();
  return {
    rows: items(stream),
    restart,
    view: (shown: number): CardView => ({ ...cardView(fromStream(stream), shown, now, 3 * every), live: cover !== "none" }),
  };
}
