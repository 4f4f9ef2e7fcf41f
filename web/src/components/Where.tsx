import type { ReactNode } from "react";

// Where names an object after its cluster and namespace (if it has one),
// those muted: the rows of every cluster read as one list.
export function Where({ cluster, namespace, children }: { cluster: string; namespace?: string; children: ReactNode }) {
  return (
    <>
      <span className="muted">
        {cluster}/{namespace ? `${namespace}/` : ""}
      </span>
      {children}
    </>
  );
}
