import { useId, useRef, useState } from "react";
import type { Card, CatalogEntry } from "../../lib/api";
import { change, fields, missing, type CardChange } from "./catalog";

interface Props {
  card: Card;
  title: string;
  catalog: CatalogEntry[];
  onChange: (c: CardChange) => void;
}

// CardMenu swaps a card for another type (it keeps its place) or changes
// its config, with a field for each property of the type's config schema.
export function CardMenu({ card, title, catalog, onChange }: Props) {
  const id = useId();
  const [type, setType] = useState(card.type);
  const [values, setValues] = useState<Record<string, unknown>>(card.config ?? {});
  const [problem, setProblem] = useState("");
  const entry = catalog.find((c) => c.type === type);
  // A modal <dialog> sits in the top layer: neither the card's overflow nor
  // the grid's transformed items clip or cover it.
  const dialog = useRef<HTMLDialogElement>(null);
  const save = (close: () => void) => {
    const c = change(card, type, values, catalog);
    const lacking = c ? missing(entry, c.config) : [];
    if (lacking.length) return setProblem(`Say ${lacking.join(", ")}.`);
    setProblem("");
    if (c) onChange(c);
    close();
  };
  return (
    <>
      <button type="button" className="card-menu-open" aria-label={`Settings of ${title}`} onClick={() => dialog.current?.showModal()}>
        ⋯
      </button>
      <dialog ref={dialog} className="card-menu" aria-labelledby={`${id}-title`}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save(() => dialog.current?.close());
          }}
        >
          <h2 id={`${id}-title`}>Settings of {title}</h2>
          <label htmlFor={`${id}-type`}>Card type</label>
          <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value)}>
            {catalog.map((c) => (
              <option key={c.type} value={c.type}>
                {c.title}
              </option>
            ))}
          </select>
          {fields(entry?.configSchema).map((f) => (
            <div key={f.name} className="field">
              <label htmlFor={`${id}-${f.name}`}>
                {f.name}
                {f.required ? " (required)" : ""}
              </label>
              <input
                id={`${id}-${f.name}`}
                value={String(values[f.name] ?? "")}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
                aria-describedby={`${id}-${f.name}-hint`}
              />
              <small id={`${id}-${f.name}-hint`}>{f.description}</small>
            </div>
          ))}
          {problem && (
            <p role="alert" className="error">
              {problem}
            </p>
          )}
          <button type="submit" className="primary">
            Save
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </form>
      </dialog>
    </>
  );
}
