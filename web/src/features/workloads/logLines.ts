// The log viewer's logic, pure so it is tested without a browser: a buffer
// that keeps at most a bound of lines, and the parts of a line a search
// highlights.
import type { LogLine } from "../../lib/api";

// maxLines bounds what a followed log keeps in memory: the oldest go first.
export const maxLines = 5_000;

export function keep(lines: LogLine[], more: LogLine[], max = maxLines): LogLine[] {
  const all = more.length === 0 ? lines : lines.concat(more);
  return all.length > max ? all.slice(all.length - max) : all;
}

export interface Piece {
  text: string;
  match: boolean;
}

// pieces splits text at each occurrence of search (case-sensitive, as the
// console's search is), marking the matches.
export function pieces(text: string, search: string): Piece[] {
  if (!search) return [{ text, match: false }];
  const out: Piece[] = [];
  let from = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, from)) {
    if (at > from) out.push({ text: text.slice(from, at), match: false });
    out.push({ text: search, match: true });
    from = at + search.length;
  }
  if (from < text.length || out.length === 0) out.push({ text: text.slice(from), match: false });
  return out;
}
