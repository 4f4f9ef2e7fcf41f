// The one typed client of the console's API (internal/console). Every request
// has a timeout, and every failure becomes an ApiError whose message a person
// can act on: nothing waits without end.

export const requestTimeoutMs = 10_000;

export class ApiError extends Error {
  constructor(
    readonly status: number, // 0: no HTTP answer (timeout, network)
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface User {
  id: number;
  subject: string;
  name: string;
  email?: string;
}

export interface Card {
  id: number;
  type: string;
  x: number;
  y: number;
  w: number;
  h: number;
  config: Record<string, unknown> | null;
}

export interface Dashboard {
  id: number;
  name: string;
  version: number;
  cards: Card[];
  updatedAt: string;
}

export interface ClusterInfo {
  name: string;
  server: string;
  namespace: string;
  default: boolean;
  reachable: boolean;
  version?: string;
  nodes: number;
  latencyMs: number;
  error?: string;
}

export type Place = Pick<Card, "x" | "y" | "w" | "h">;

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "TimeoutError") {
      throw new ApiError(0, "timeout", `The console did not answer within ${requestTimeoutMs / 1000} s; try again.`);
    }
    throw new ApiError(0, "network", "The console cannot be reached; is `kubemcp console` still running?");
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    throw new ApiError(res.status, data?.error?.code ?? "http", data?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return data as T;
}

export const api = {
  me: () => request<User>("GET", "/api/me"),
  login: () => request<User>("POST", "/api/login"),
  logout: () => request<void>("POST", "/api/logout"),
  dashboards: () => request<{ dashboards: Dashboard[] }>("GET", "/api/dashboards").then((r) => r.dashboards ?? []),
  createDashboard: (name: string) => request<Dashboard>("POST", "/api/dashboards", { name }),
  addCard: (d: Dashboard, type: string, place: Place) =>
    request<Dashboard>("POST", `/api/dashboards/${d.id}/cards`, { version: d.version, type, ...place }),
  moveCard: (d: Dashboard, card: number, place: Place) =>
    request<Dashboard>("PUT", `/api/dashboards/${d.id}/cards/${card}`, { version: d.version, ...place }),
  removeCard: (d: Dashboard, card: number) =>
    request<Dashboard>("DELETE", `/api/dashboards/${d.id}/cards/${card}?version=${d.version}`),
  clusters: () => request<{ clusters: ClusterInfo[] }>("GET", "/api/clusters").then((r) => r.clusters),
};
