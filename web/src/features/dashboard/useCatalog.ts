import { useQuery } from "@tanstack/react-query";
import { api, type CatalogEntry } from "../../lib/api";
import { components } from "./registry";

// fallbackCatalog is what the app offers when the console's catalog cannot
// be read: the types it draws, without their config schemas.
const fallbackCatalog: CatalogEntry[] = Object.entries(components).map(([type, c]) => ({
  type,
  title: c.title,
  description: "",
  defaultSize: { w: c.w, h: c.h },
}));

// useCatalog is the console's card catalog; when it cannot be read, the
// fallback with a note saying so (and why).
export function useCatalog(): { entries: CatalogEntry[]; loading: boolean; note?: string } {
  const q = useQuery({ queryKey: ["catalog"], queryFn: api.catalog, staleTime: Infinity });
  if (q.data) return { entries: q.data, loading: false };
  if (q.error) {
    return {
      entries: fallbackCatalog,
      loading: false,
      note: `The console's card catalog could not be read (${q.error.message}); the cards this app knows are offered, without their settings.`,
    };
  }
  return { entries: [], loading: true };
}
