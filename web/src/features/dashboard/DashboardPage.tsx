import { Outcome } from "../../components/Outcome";
import { Summary } from "../ai/Summary";
import { Onboarding } from "../onboarding/Onboarding";
import { AddCard } from "./AddCard";
import { CardGrid } from "./CardGrid";
import { useCatalog } from "./useCatalog";
import { useDashboard } from "./useDashboard";

export function DashboardPage() {
  const d = useDashboard();
  const catalog = useCatalog();
  if (d.loading) return <Outcome kind="loading" message="Loading your dashboard…" />;
  if (d.needsFirst) return <Onboarding onSkip={d.skipOnboarding} />;
  if (d.error || !d.dashboard) {
    return <Outcome kind="error" message={d.error?.message ?? "No dashboard."} retry={d.retry} />;
  }
  const dash = d.dashboard;
  return (
    <section aria-labelledby="dash-title">
      <div className="page-head">
        <h1 id="dash-title">{dash.name}</h1>
        <AddCard cards={dash.cards} catalog={catalog.entries} onAdd={d.add} />
        <span className="asof" role="status">
          {d.saved === undefined ? "" : d.saved ? "All changes saved" : d.changeError ? "Not saved" : "Saving…"}
        </span>
      </div>
      <Summary />
      <p id="card-keys" className="sr-only">
        Arrow keys move a card; Shift with the arrow keys resizes it.
      </p>
      {catalog.note && <p className="note" role="status">{catalog.note}</p>}
      {d.changeError && (
        <p role="alert" className="error">
          Your last change was not saved: {d.changeError.message} The dashboard was read again.
        </p>
      )}
      {dash.cards.length === 0 ? (
        <p className="empty-dash">This dashboard has no cards yet. Add one from the catalog above.</p>
      ) : (
        <CardGrid cards={dash.cards} catalog={catalog.entries} onChange={d.swapOrConfigure} onMove={d.move} onRemove={d.remove} />
      )}
    </section>
  );
}
