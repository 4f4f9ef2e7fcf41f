import { useEffect, useState, type KeyboardEvent } from "react";
import { GridLayout, useContainerWidth, type Layout } from "react-grid-layout";
import type { Card, Place } from "../../lib/api";
import { cardType } from "./catalog";

const cols = 12;

// Below this width the cards stack in one column, in their grid order: a
// 12-column grid on a phone would make every card a sliver.
const narrowPx = 700;

interface Props {
  cards: Card[];
  onMove: (card: number, place: Place) => void;
  onRemove: (card: number) => void;
}

// CardGrid lays the cards out on a 12-column grid: dragged by their title,
// resized from their corner, and saved when a drag or resize ends, each card
// that moved (the grid may have pushed others) with its new place.
export function CardGrid({ cards, onMove, onRemove }: Props) {
  const { width, containerRef, mounted } = useContainerWidth();
  const [layout, setLayout] = useState<Layout>(() => toLayout(cards));
  useEffect(() => setLayout(toLayout(cards)), [cards]);
  const save = (next: Layout) => {
    for (const it of next) {
      const c = cards.find((c) => String(c.id) === it.i);
      if (c && (c.x !== it.x || c.y !== it.y || c.w !== it.w || c.h !== it.h)) onMove(c.id, placeOf(it));
    }
  };
  const keyMove = (c: Card) => (e: KeyboardEvent) => {
    const p = keyPlace(placeOf(c), e.key, e.shiftKey);
    if (!p) return;
    e.preventDefault();
    onMove(c.id, p);
  };
  const render = (c: Card) => {
    const t = cardType(c.type);
    const Component = t?.component ?? Unknown;
    return <Component title={t?.title ?? c.type} onRemove={() => onRemove(c.id)} onKeyMove={keyMove(c)} />;
  };
  if (mounted && width < narrowPx) {
    return (
      <div ref={containerRef} className="stack">
        {[...cards].sort((a, b) => a.y - b.y || a.x - b.x).map((c) => (
          <div key={c.id} data-card-type={c.type} style={{ height: c.h * 40 }}>
            {render(c)}
          </div>
        ))}
      </div>
    );
  }
  return (
    <div ref={containerRef} className="grid">
      {mounted && (
        <GridLayout
          width={width}
          layout={layout}
          gridConfig={{ cols, rowHeight: 40, margin: [12, 12] }}
          dragConfig={{ handle: ".card-drag", cancel: ".card-remove" }}
          onLayoutChange={setLayout}
          onDragStop={save}
          onResizeStop={save}
        >
          {cards.map((c) => (
            <div key={c.id} data-card-type={c.type}>
              {render(c)}
            </div>
          ))}
        </GridLayout>
      )}
    </div>
  );
}

function toLayout(cards: Card[]): Layout {
  return cards.map((c) => ({ i: String(c.id), x: c.x, y: c.y, w: c.w, h: c.h, minW: 2, minH: 3 }));
}

const placeOf = ({ x, y, w, h }: Place): Place => ({ x, y, w, h });

// keyPlace is where an arrow key moves (or, with Shift, resizes) c.
export function keyPlace(c: Place, key: string, resize: boolean): Place | undefined {
  const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[key];
  if (!d) return undefined;
  const [dx, dy] = d;
  if (resize) return { ...c, w: clamp(c.w + dx, 2, cols - c.x), h: Math.max(3, c.h + dy) };
  return { ...c, x: clamp(c.x + dx, 0, cols - c.w), y: Math.max(0, c.y + dy) };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

// Unknown stands for a card of a type this app does not know (saved by a
// newer console): it can still be removed.
function Unknown({ title, onRemove }: { title: string; onRemove: () => void }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <span className="card-drag">{title}</span>
        <button type="button" className="card-remove" onClick={onRemove} aria-label={`Remove ${title}`}>
          ×
        </button>
      </header>
      <p className="card-body">This console does not know cards of type “{title}”.</p>
    </section>
  );
}
