import { timeOf } from "../lib/useNow";

// AsOf says when a card's or page's data is from, whether changes show at
// once (live) and whether it is stale; updating while a page asks again.
export function AsOf({ asOf, live, stale, updating }: { asOf?: number; live?: boolean; stale?: boolean; updating?: boolean }) {
  return (
    <>
      {asOf ? `as of ${timeOf(asOf)}` : "no data yet"}
      {live && <span title="Changes in the clusters show at once"> · live</span>}
      {stale && <strong className="stale"> · stale</strong>}
      {updating && " · updating"}
    </>
  );
}
