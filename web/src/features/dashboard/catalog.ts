// The card catalog as the console serves it, and what a change in a card's
// menu means: a swap (another type, keeping its place) or a new config.
import type { CatalogEntry, ConfigSchema } from "../../lib/api";

export interface Field {
  name: string;
  description: string;
  required: boolean;
}

// fields are the config a schema asks for: its string properties.
export function fields(schema: ConfigSchema | undefined): Field[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, p]) => p.type === undefined || p.type === "string")
    .map(([name, p]) => ({ name, description: p.description ?? "", required: schema?.required?.includes(name) ?? false }));
}

// configFor keeps the values entry's schema has a field for, dropping
// empty ones (empty means "every", which is the field left out).
export function configFor(entry: CatalogEntry | undefined, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields(entry?.configSchema)) {
    const v = values[f.name];
    if (typeof v === "string" && v.trim() !== "") out[f.name] = v.trim();
  }
  return out;
}

export type CardChange =
  | { kind: "swap"; type: string; config: Record<string, unknown> }
  | { kind: "configure"; config: Record<string, unknown> };

// change is what saving a card's menu does, or undefined when nothing changed.
export function change(
  card: { type: string; config: Record<string, unknown> | null },
  type: string,
  values: Record<string, unknown>,
  catalog: CatalogEntry[],
): CardChange | undefined {
  const config = configFor(catalog.find((c) => c.type === type), values);
  if (type !== card.type) return { kind: "swap", type, config };
  if (JSON.stringify(config) === JSON.stringify(card.config ?? {})) return undefined;
  return { kind: "configure", config };
}

// missing names the required fields left empty.
export function missing(entry: CatalogEntry | undefined, config: Record<string, unknown>): string[] {
  return fields(entry?.configSchema)
    .filter((f) => f.required && config[f.name] === undefined)
    .map((f) => f.name);
}
