import { useEffect, useRef, useState } from "react";
import { timeOf } from "../../lib/useNow";
import { maxLines, pieces } from "./logLines";
import { useLog } from "./useLog";

const tails = [100, 500, 2000, 10000];

// LogViewer shows a container's log: the newest lines, narrowed by a
// search whose matches are highlighted, and followed live when asked.
export function LogViewer({ cluster, namespace, pod }: { cluster: string; namespace: string; pod: string }) {
  const [follow, setFollow] = useState(false);
  const [tail, setTail] = useState(500);
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [asked, setAsked] = useState(0);
  const log = useLog(cluster, namespace, pod, { tail, search }, follow, asked);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (follow) end.current?.scrollIntoView({ block: "nearest" });
  }, [log.lines, follow]);
  return (
    <section aria-labelledby="log-title" className="part">
      <h2 id="log-title">Log{log.container ? ` of ${log.container}` : ""}</h2>
      <form
        className="filters"
        role="search"
        aria-label="Search the log"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(typed);
        }}
      >
        <label>
          Search
          <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="text in a line" />
        </label>
        <button type="submit">Search</button>
        <label>
          Lines
          <select value={tail} onChange={(e) => setTail(Number(e.target.value))}>
            {tails.map((t) => (
              <option key={t} value={t}>
                newest {t}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <button type="button" onClick={() => setAsked((n) => n + 1)} disabled={log.loading}>
          {log.loading ? "Reading…" : "Read again"}
        </button>
      </form>
      <p className="asof" aria-live="polite">
        {log.lines.length} lines{search ? ` containing “${search}”` : ""}
        {log.dropped > 0 && `, ${log.dropped} older left out`}
        {follow && log.lines.length >= maxLines && `, the newest ${maxLines} kept`}
        {log.at ? ` · as of ${timeOf(log.at)}` : ""}
        {log.following ? " · following" : ""}
      </p>
      {log.error && (
        <p role="alert" className="bad">
          {log.error}
        </p>
      )}
      {log.loading && log.lines.length === 0 ? (
        <p role="status">Reading the log…</p>
      ) : log.lines.length === 0 && !log.error ? (
        <p>{search ? "No line contains that." : "The log is empty."}</p>
      ) : (
        <div className="log" tabIndex={0} role="log" aria-label={`Log of ${pod}`}>
          {log.lines.map((l, i) => (
            <div key={i} className="log-line">
              {l.time && <span className="muted">{timeOf(Date.parse(l.time))} </span>}
              {pieces(l.text, search).map((p, j) => (p.match ? <mark key={j}>{p.text}</mark> : p.text))}
            </div>
          ))}
          <div ref={end} />
        </div>
      )}
    </section>
  );
}
