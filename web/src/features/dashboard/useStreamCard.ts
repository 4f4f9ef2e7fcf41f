import { cardView, fromStream, type CardView } from "../../lib/cardState";
import { items } from "../../lib/stream";
import { useNow } from "../../lib/useNow";
import { useStream, type StreamKind } from "../../lib/useStream";
import { scope } from "./scope";

// useStreamCard is what a card fed by a stream needs: the rows of every
// cluster (narrowed by the card's config), asked again every refreshMs,
// and the card's view once it knows how many rows it shows.
export function useStreamCard<T>(kind: StreamKind, config: Record<string, unknown>, refreshMs: number) {
  const [stream, restart] = useStream<T>(kind, { ...scope(config), refreshMs });
  const now = useNow();
  return {
    rows: items(stream),
    restart,
    view: (shown: number): CardView => cardView(fromStream(stream), shown, now, 3 * refreshMs),
  };
}
