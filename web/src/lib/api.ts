// The one typed client of the console's API (internal/console). Every request
// has a timeout, and every failure becomes an ApiError whose message a person
// can act on: nothing waits without end.

import type { Severity } from "./kube";

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

// A JSON schema as the catalog serves a card's config: an object of
// string properties, each with a description.
export interface ConfigSchema {
  type?: string;
  properties?: Record<string, { type?: string; description?: string }>;
  required?: string[];
}

export interface CatalogEntry {
  type: string;
  title: string;
  description: string;
  defaultSize: { w: number; h: number };
  stream?: string;
  configSchema?: ConfigSchema;
}

export interface Settings {
  aiMode: "low" | "medium" | "high";
  tokenLimit: number;
  theme: "system" | "light" | "dark";
}

export interface Question {
  id: string;
  text: string;
  choices?: string[];
}

export interface Onboarding {
  questions: Question[];
  answers: Record<string, string> | null;
}

export interface ClusterDetail {
  name: string;
  nodes: unknown[] | null;
  workloads: Record<string, unknown[] | null>;
  events: unknown[] | null;
  errors: Record<string, string>;
}

export interface Mission {
  id: number;
  goal: string;
  status: "planning" | "awaiting_approval" | "applying" | "done" | "refused" | "failed";
  tokens: number;
  createdAt: string;
  updatedAt: string;
}

export interface MissionEvent {
  seq: number;
  kind: string; // message, tool_call, plan, applied, error, tokens
  payload: Record<string, unknown>;
  createdAt: string;
}

// A container's log as GET /api/clusters/{c}/pods/{ns}/{name}/log gives it.
export interface LogLine {
  time: string; // RFC 3339 from the kubelet; "" when it gave none
  text: string;
}

export interface PodLog {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
  lines: LogLine[];
  dropped: number;
}

export interface LogQuery {
  container?: string;
  tail?: number;
  search?: string;
}

export function logPath(cluster: string, namespace: string, pod: string, q: LogQuery, follow = false): string {
  const p = new URLSearchParams();
  if (q.container) p.set("container", q.container);
  if (q.tail) p.set("tail", String(q.tail));
  if (q.search) p.set("search", q.search);
  if (follow) p.set("follow", "1");
  const e = encodeURIComponent;
  return `/api/clusters/${e(cluster)}/pods/${e(namespace)}/${e(pod)}/log?${p}`;
}

// An object as the YAML view shows it.
export interface ObjectYAML {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  yaml: string;
}

export interface Usage {
  mode: string;
  usedToday: number;
  limit: number;
}

// A card worth adding, as GET /api/recommendations says, and why.
export interface Recommendation {
  id: string;
  card: { type: string; config: Record<string, unknown> | null };
  title: string;
  severity: Severity;
  reason: string; // the facts the rules saw
  why?: string; // the model's words, when it ranked them
}

export interface Recommendations {
  recommendations: Recommendation[] | null;
  rankedBy: "rules" | "model";
  aiNote?: string; // why the model did not rank them, when the AI mode asks it to
  usage: Usage;
  unchecked: string[] | null; // what could not be read, and why
}

// What POST /api/ai/summary asks to summarize: a card type (its own tool
// is read), or, with none, the clusters' state.
export interface SummaryScope {
  card?: string;
  cluster?: string;
  namespace?: string;
}

// An AI summary, as /api/ai/summary answers: empty summary, note says why.
export interface AiSummary extends SummaryScope {
  summary: string;
  read: string[] | null; // the tools read, as the signed-in user
  unchecked: string[] | null;
  tokens: number;
  at: string;
  proactive: boolean; // made unasked (high AI mode)
  note?: string;
  usage: Usage;
}

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
  addCard: (d: Dashboard, type: string, place: Place, config: Record<string, unknown> = {}) =>
    request<Dashboard>("POST", `/api/dashboards/${d.id}/cards`, { version: d.version, type, config, ...place }),
  moveCard: (d: Dashboard, card: number, place: Place) =>
    request<Dashboard>("PUT", `/api/dashboards/${d.id}/cards/${card}`, { version: d.version, ...place }),
  removeCard: (d: Dashboard, card: number) =>
    request<Dashboard>("DELETE", `/api/dashboards/${d.id}/cards/${card}?version=${d.version}`),
  swapCard: (d: Dashboard, card: number, type: string, config: Record<string, unknown>) =>
    request<Dashboard>("POST", `/api/dashboards/${d.id}/cards/${card}/swap`, { version: d.version, type, config }),
  configureCard: (d: Dashboard, card: number, config: Record<string, unknown>) =>
    request<Dashboard>("PUT", `/api/dashboards/${d.id}/cards/${card}`, { version: d.version, config }),
  catalog: () => request<{ cards: CatalogEntry[] }>("GET", "/api/cards/catalog").then((r) => r.cards),
  settings: () => request<Settings>("GET", "/api/settings"),
  saveSettings: (s: Partial<Settings>) => request<Settings>("PUT", "/api/settings", s),
  onboarding: () => request<Onboarding>("GET", "/api/onboarding"),
  answerOnboarding: (answers: Record<string, string>) =>
    request<{ dashboard: Dashboard | null }>("POST", "/api/onboarding", { answers }),
  cluster: (name: string) => request<ClusterDetail>("GET", `/api/clusters/${encodeURIComponent(name)}`),
  missions: () => request<{ missions: Mission[] | null; usage: Usage }>("GET", "/api/missions"),
  mission: (id: number) => request<{ mission: Mission; events: MissionEvent[] | null }>("GET", `/api/missions/${id}`),
  createMission: (goal: string) => request<Mission>("POST", "/api/missions", { goal }),
  approveMission: (id: number) => request<{ mission: Mission }>("POST", `/api/missions/${id}/approve`),
  refuseMission: (id: number) => request<{ mission: Mission }>("POST", `/api/missions/${id}/refuse`),
  podLog: (cluster: string, namespace: string, pod: string, q: LogQuery) =>
    request<PodLog>("GET", logPath(cluster, namespace, pod, q)),
  object: (cluster: string, kind: string, namespace: string, name: string) =>
    request<ObjectYAML>(
      "GET",
      `/api/clusters/${encodeURIComponent(cluster)}/objects?${new URLSearchParams({ kind, namespace, name })}`,
    ),
  // byModel asks the model to rank them, which medium AI mode does only
  // when asked and high mode always: a POST, since it spends tokens.
  recommendations: (cluster = "", namespace = "", byModel = false) =>
    request<Recommendations>(byModel ? "POST" : "GET", `/api/recommendations${byModel ? "/rank" : ""}?${new URLSearchParams({ cluster, namespace })}`),
  acceptRecommendation: (id: string) =>
    request<Dashboard>("POST", `/api/recommendations/${encodeURIComponent(id)}/accept`, {}),
  snoozeRecommendation: (id: string) => request<{ id: string; until: string }>("POST", `/api/recommendations/${encodeURIComponent(id)}/snooze`, {}),
  summarize: (scope: SummaryScope) => request<AiSummary>("POST", "/api/ai/summary", scope),
  unaskedSummary: () => request<AiSummary>("GET", "/api/ai/summary"),
  clusters: () => request<{ clusters: ClusterInfo[] }>("GET", "/api/clusters").then((r) => r.clusters),
};
