// The shapes the insight cards read (the structured output of kubemcp's
// namespace_overview, pods_top, nodes_top and resource_usage tools, and the
// console's access checks) and the logic the cards share, pure for tests.
import type { KubeEvent } from "../../../lib/kube";

export interface Usage {
  cpu_millicores: number;
  memory_bytes: number;
}

export interface PodUsage extends Usage {
  namespace: string;
  name: string;
}

export interface NodeUsage extends Usage {
  name: string;
  cpu_percent?: number;
  memory_percent?: number;
}

export interface Overview {
  namespace: string;
  counts: { kind: string; total: number; by_status: Record<string, number> | null }[];
  issues_found: number;
  warnings: unknown[];
  metrics: string;
  unchecked: string[];
}

export interface ResourceUse {
  workloads: {
    namespace: string;
    workload: string;
    pods: number;
    monthly_cost: number;
    unused_monthly_cost: number;
    verdicts: string[] | null;
  }[];
  matched: number;
  total: { pods: number; monthly_cost: number; unused_monthly_cost: number };
  metrics: string;
}

export interface AccessCheck {
  verb: string;
  resource: string;
  allowed: boolean;
  reason?: string;
}

export function cpu(m: number): string {
  return m >= 1000 ? `${(m / 1000).toFixed(m % 1000 ? 2 : 0)} cores` : `${m}m`;
}

export function bytes(b: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) {
    b /= 1024;
    i++;
  }
  return `${Number.isInteger(b) ? b : b.toFixed(1)} ${units[i]}`;
}

// usageText is a node's use of one resource as its table cell says it.
export function usageText(percent: number | undefined, amount: string): string {
  return percent === undefined ? `${amount} (allocatable unknown)` : `${percent}% of allocatable, ${amount}`;
}

export function money(v: number): string {
  return `$${v.toFixed(2)}`;
}

// top is the n heaviest by what.
export function top<T>(rows: T[], what: (r: T) => number, n = 5): T[] {
  return [...rows].sort((a, b) => what(b) - what(a)).slice(0, n);
}

// changeReasons are the event reasons that mean something changed: a
// rollout or scaling, pods made or removed, images pulled, jobs run, nodes
// joining or leaving.
const changeReasons = new Set([
  "ScalingReplicaSet",
  "SuccessfulCreate",
  "SuccessfulDelete",
  "SuccessfulRescale",
  "Scheduled",
  "Pulled",
  "Killing",
  "Created",
  "Started",
  "SawCompletedJob",
  "Completed",
  "DeploymentRollback",
  "RegisteredNode",
  "RemovingNode",
  "NodeReady",
  "NodeNotReady",
]);

export function isChange(e: KubeEvent): boolean {
  return changeReasons.has(e.reason);
}
