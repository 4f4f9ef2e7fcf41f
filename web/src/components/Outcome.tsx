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
