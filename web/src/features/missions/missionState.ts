// A mission's history as the page shows it: the stored events, merged with
// those the stream sends (which may repeat one already read), in order.
import type { MissionEvent } from "../../lib/api";

export function merge(have: MissionEvent[], more: MissionEvent[]): MissionEvent[] {
  const bySeq = new Map(have.map((e) => [e.seq, e]));
  for (const e of more) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export const lastSeq = (events: MissionEvent[]) => events.at(-1)?.seq ?? 0;

// describe says one event in words; a plan's diff is shown beside it.
export function describe(e: MissionEvent): string {
  const p = e.payload ?? {};
  switch (e.kind) {
    case "message":
      return String(p.text ?? "");
    case "tool_call":
      return `Read with ${p.tool}${p.arguments ? ` ${JSON.stringify(p.arguments)}` : ""}`;
    case "plan":
      return `Proposes ${p.tool} (dry run below)`;
    case "applied":
      return `Applied ${p.tool}`;
    case "error":
      return `Error: ${p.message}`;
    case "tokens":
      return `${p.turn} tokens this turn; ${p.usedToday} of ${p.limit} used today`;
    default:
      return e.kind;
  }
}

// active: the mission may still record events without the person.
export const active = (status: string) => status === "planning" || status === "applying";
