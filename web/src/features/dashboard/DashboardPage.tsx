import { Outcome } from "../../components/Outcome";
import { AddCard } from "./AddCard";
import { CardGrid } from "./CardGrid";
import { useDashboard } from "./useDashboard";

export function DashboardPage() {
  const d = useDashboard();
  if (d.loading) return <Outcome kind="loading" message="Loading your dashboard…" />;
  if (d.error || !d.dashboard) {
    return <Outcome kind="error" message={d.error?.message ?? "No dashboard."} retry={d.retry} />;
  }
  const dash = d.dashboard;
  return (
    <section aria-labelledby="dash-title">
      <div className="page-head">
        <h1 id="dash-title">{dash.name}</h1>
        <AddCard
          cards={dash.cards}
          onAdd={d.add}
        />
        <span className="asof" role="status">
          {d.saved === undefined ? "" : d.saved ? "All changes saved" : d.changeError ? "Not saved" : "Saving…"}
        </span>
      </div>
      <p id="card-keys" className="sr-only">
        Arrow keys move a card; Shift with the arrow keys resizes it.
      </p>
      {d.changeError && (
        <p role="alert" className="error">
          Your last change was not saved: {d.changeError.message} The dashboard was read again.
        </p>
      )}
      {dash.cards.length === 0 ? (
        <p className="empty-dash">This dashboard has no cards yet. Add one from the catalog above.</p>
      ) : (
        <CardGrid cards={dash.cards} onMove={d.move} onRemove={d.remove} />
      )}
    </section>
  );
}
