import type { ComponentType, KeyboardEvent } from "react";
import { ClusterHealth } from "./cards/ClusterHealth";
import { Nodes } from "./cards/Nodes";
import { PodIssues } from "./cards/PodIssues";
import { WarningEvents } from "./cards/WarningEvents";

// What a dashboard gives each card.
export interface CardProps {
  title: string;
  onRemove: () => void;
  onKeyMove: (e: KeyboardEvent) => void;
}

export interface CardType {
  type: string; // stored with the card
  title: string;
  description: string;
  w: number;
  h: number;
  component: ComponentType<CardProps>;
}

// The catalog, defined here until the console serves one.
export const catalog: CardType[] = [
  { type: "cluster-health", title: "Cluster health", description: "Which clusters answer, their version and nodes.", w: 4, h: 6, component: ClusterHealth },
  { type: "pod-issues", title: "Pod issues", description: "Pods not running or not ready, in every cluster.", w: 8, h: 6, component: PodIssues },
  { type: "warning-events", title: "Warning events", description: "The newest warning events, kept live.", w: 6, h: 7, component: WarningEvents },
  { type: "nodes", title: "Nodes", description: "Every node: status, allocatable CPU and memory.", w: 6, h: 7, component: Nodes },
];

export const cardType = (type: string) => catalog.find((c) => c.type === type);
