import type { AiSummary } from "../../lib/api";

// What the Summarize panel shows: the summary, a line on where it came
// from and what it cost, and what could not be read.
export interface SummaryView {
  text?: string;
  byline?: string;
  unchecked: string[];
}

// summaryView picks the summary to show: the one the person asked for,
// else the one the console made unasked (high AI mode); a note on why
// there is no unasked one is not shown, since the button says enough.
export function summaryView(asked: AiSummary | undefined, unasked: AiSummary | undefined, now: number): SummaryView {
  const s = asked ?? (unasked?.summary ? unasked : undefined);
  if (!s) return { unchecked: [] };
  const made = s.proactive ? `Made for you ${ago(Date.parse(s.at), now)}` : "Summarized as asked";
  const read = s.read?.length ? ` from ${s.read.join(", ")}` : "";
  const spent = `${s.tokens} tokens; ${s.usage.usedToday} of ${s.usage.limit} used today`;
  const byline = `${made}${read} (${spent}).${s.note ? ` ${s.note}` : ""}`;
  return { text: s.summary, byline, unchecked: s.unchecked ?? [] };
}

function ago(at: number, now: number): string {
  const min = Math.round((now - at) / 60_000);
  return min < 1 ? "just now" : `${min} min ago`;
}
