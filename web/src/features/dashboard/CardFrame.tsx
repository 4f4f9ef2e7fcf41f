import type { KeyboardEvent, ReactNode } from "react";
import type { CardView } from "../../lib/cardState";
import { AsOf } from "../../components/AsOf";
import { ClusterProblems } from "../../components/Outcome";

interface Props {
  title: string;
  view: CardView;
  empty: string; // what "nothing here" means for this card
  children: ReactNode;
  retry?: () => void;
  menu?: ReactNode;
  onRemove: () => void;
  onKeyMove: (e: KeyboardEvent) => void;
}

// CardFrame is what every card has: a title that is also its drag handle
// (and, with the keyboard, arrows move it and Shift+arrows resize it), a
// remove button, the body for its state, and the time its data is as of.
export function CardFrame({ title, view, empty, children, retry, menu, onRemove, onKeyMove }: Props) {
  return (
    <section className={`card card-${view.kind}`} aria-label={title} data-state={view.kind} data-stale={view.stale || undefined} data-live={view.live || undefined}>
      <header className="card-head">
        <button type="button" className="card-drag" onKeyDown={onKeyMove} aria-describedby="card-keys">
          {title}
        </button>
        {menu}
        <button type="button" className="card-remove" onClick={onRemove} aria-label={`Remove ${title}`}>
          ×
        </button>
      </header>
      {/* Focusable: a body that scrolls must scroll from the keyboard too. */}
      <div className="card-body" tabIndex={0} role="group" aria-label={`${title}: contents`}>
        <Body view={view} empty={empty} retry={retry}>
          {children}
        </Body>
      </div>
      <footer className="card-foot">
        {/* Compact: a long error must not push the card's rows out of sight. */}
        <ClusterProblems problems={view.problems} compact />
        <p className="asof">
          <AsOf {...view} />
        </p>
      </footer>
    </section>
  );
}

function Body({ view, empty, retry, children }: { view: CardView; empty: string; retry?: () => void; children: ReactNode }) {
  switch (view.kind) {
    case "loading":
      return <p role="status">Loading…</p>;
    case "error":
    case "offline":
      return (
        <div role="alert">
          <p>{view.message}</p>
          {retry && (
            <button type="button" onClick={retry}>
              Try again
            </button>
          )}
        </div>
      );
    case "empty":
      return <p>{view.message ?? empty}</p>;
    case "ready":
      return children;
  }
}
