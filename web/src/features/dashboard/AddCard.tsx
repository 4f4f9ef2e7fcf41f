import { useState } from "react";
import type { Card, CatalogEntry, Place } from "../../lib/api";
import { configFor, fields } from "./catalog";

// AddCard adds a card from the catalog below the cards there are, at the
// size the catalog gives it.
export function AddCard({ cards, catalog, onAdd }: { cards: Card[]; catalog: CatalogEntry[]; onAdd: (type: string, place: Place, config: Record<string, unknown>) => void }) {
  const [type, setType] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const chosen = catalog.find((c) => c.type === type) ?? catalog[0];
  const add = () => {
    if (!chosen) return;
    const bottom = Math.max(0, ...cards.map((c) => c.y + c.h));
    onAdd(chosen.type, { x: 0, y: bottom, w: chosen.defaultSize.w, h: chosen.defaultSize.h }, configFor(chosen, values));
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
      <select id="card-type" value={chosen?.type ?? ""} onChange={(e) => setType(e.target.value)} disabled={catalog.length === 0}>
        {catalog.map((c) => (
          <option key={c.type} value={c.type}>
            {c.title}
            {c.description ? `: ${c.description}` : ""}
          </option>
        ))}
      </select>
      {/* A type that cannot work without some config (a cluster detail's cluster) asks for it here. */}
      {fields(chosen?.configSchema)
        .filter((f) => f.required)
        .map((f) => (
          <span key={f.name} className="field">
            <label htmlFor={`add-${f.name}`}>{f.name}</label>
            <input id={`add-${f.name}`} required value={values[f.name] ?? ""} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
          </span>
        ))}
      <button type="submit" className="primary" disabled={!chosen}>
        Add card
      </button>
    </form>
  );
}
