import type { Part } from "../lib/cardState";

// Outcome is a page-level state that is not data: loading, or an error with
// a way to try again.
export function Outcome({ kind, message, retry }: { kind: "loading" | "error"; message: string; retry?: () => void }) {
  return (
    <div className={`outcome ${kind}`} role={kind === "error" ? "alert" : "status"}>
      <p>{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

// ClusterProblems says which clusters did not answer, one line each, beside
// whatever the others answered: on a card each line is cut to fit (the whole
// in its title and for screen readers), on a page it is an alert.
export function ClusterProblems({ problems, compact }: { problems: Part[]; compact?: boolean }) {
  return (
    <>
      {problems.map((p) => (
        <p
          key={p.cluster}
          className={`${compact ? "problem " : ""}${p.offline ? "offline" : "error"}`}
          title={compact ? p.message : undefined}
          role={compact ? undefined : "alert"}
        >
          {p.cluster}: {p.offline ? "unreachable" : "failed"} ({p.message})
        </p>
      ))}
    </>
  );
}
