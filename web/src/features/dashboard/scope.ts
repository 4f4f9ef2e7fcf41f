// scope reads the cluster and namespace a card's config narrows it to.
export function scope(config: Record<string, unknown>): { cluster?: string; namespace?: string } {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return { cluster: str(config.cluster), namespace: str(config.namespace) };
}
