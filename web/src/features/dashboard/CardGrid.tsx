import { useEffect, useState, type KeyboardEvent, type ReactNode } from "react";
import { GridLayout, useContainerWidth, type Layout } from "react-grid-layout";
import type { Card, CatalogEntry, Place } from "../../lib/api";
import type { CardChange } from "./catalog";
import { CardMenu } from "./CardMenu";
import { components } from "./registry";

const cols = 12;

// Below this width the cards stack in one column, in their grid order: a
// 12-column grid on a phone would make every card a sliver.
const narrowPx = 700;

interface Props {
  cards: Card[];
  catalog: CatalogEntry[];
  onChange: (card: number, c: CardChange) => void;
  onMove: (card: number, place: Place) => void;
  onRemove: (card: number) => void;
}

// CardGrid lays the cards out on a 12-column grid: dragged by their title,
// resized from their corner, and saved when a drag or resize ends, each card
// that moved (the grid may have pushed others) with its new place.
export function CardGrid({ cards, catalog, onChange, onMove, onRemove }: Props) {
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
    const known = components[c.type];
    const Component = known?.component ?? Unknown;
    const title = catalog.find((e) => e.type === c.type)?.title ?? known?.title ?? c.type;
    // Keyed by the card's saved state: after a save, the menu starts from it.
    const menu = <CardMenu key={`${c.type}${JSON.stringify(c.config)}`} card={c} title={title} catalog={catalog} onChange={(ch) => onChange(c.id, ch)} />;
    return <Component title={title} config={c.config ?? {}} menu={menu} onRemove={() => onRemove(c.id)} onKeyMove={keyMove(c)} />;
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
            // data-grid: the grid's size for a card new since layout was set
            // (it would make it 1x1 until the next reload otherwise).
            <div key={c.id} data-card-type={c.type} data-grid={toItem(c)}>
              {render(c)}
            </div>
          ))}
        </GridLayout>
      )}
    </div>
  );
}

const toItem = (c: Card) => ({ i: String(c.id), x: c.x, y: c.y, w: c.w, h: c.h, minW: 2, minH: 3 });

function toLayout(cards: Card[]): Layout {
  return cards.map(toItem);
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
// newer console): it can still be swapped or removed.
function Unknown({ title, menu, onRemove }: { title: string; menu: ReactNode; onRemove: () => void }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-head">
        <span className="card-drag">{title}</span>
        {menu}
        <button type="button" className="card-remove" onClick={onRemove} aria-label={`Remove ${title}`}>
          ×
        </button>
      </header>
      <p className="card-body">This console does not know cards of type “{title}”.</p>
    </section>
  );
}
