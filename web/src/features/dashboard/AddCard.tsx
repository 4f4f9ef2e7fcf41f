import { useState } from "react";
import type { Card, Place } from "../../lib/api";
import { catalog } from "./catalog";

// AddCard adds a card from the catalog below the cards there are.
export function AddCard({ cards, onAdd }: { cards: Card[]; onAdd: (type: string, place: Place) => void }) {
  const [type, setType] = useState(catalog[0].type);
  const add = () => {
    const t = catalog.find((c) => c.type === type)!;
    const bottom = Math.max(0, ...cards.map((c) => c.y + c.h));
    onAdd(t.type, { x: 0, y: bottom, w: t.w, h: t.h });
  };
  return (
    <form
      className="add-card"
      onSubmit={(e) => {
        e.preventDefault();
        add();
      }}
    >
      <label htmlFor="card-type">Card</label>
      <select id="card-type" value={type} onChange={(e) => setType(e.target.value)}>
        {catalog.map((c) => (
          <option key={c.type} value={c.type}>
            {c.title}: {c.description}
          </option>
        ))}
      </select>
      <button type="submit" className="primary">
        Add card
      </button>
    </form>
  );
}
