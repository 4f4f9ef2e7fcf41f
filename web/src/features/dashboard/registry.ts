import type { ComponentType, KeyboardEvent, ReactNode } from "react";
import { ClusterDetailCard } from "./cards/ClusterDetailCard";
import { ClusterHealth } from "./cards/ClusterHealth";
import { Deployments } from "./cards/Deployments";
import { Events } from "./cards/Events";
import { Issues } from "./cards/Issues";
import { Nodes } from "./cards/Nodes";
import { Pods } from "./cards/Pods";
import { Recommendations } from "./cards/Recommendations";
import { Security } from "./cards/Security";
import { Services } from "./cards/Services";
import { Access } from "./cards/Access";
import { Changes } from "./cards/Changes";
import { NamespaceOverview } from "./cards/NamespaceOverview";
import { NodeUsage } from "./cards/NodeUsage";
import { ResourceCost } from "./cards/ResourceCost";
import { TopPods } from "./cards/TopPods";

// What a dashboard gives each card.
export interface CardProps {
  title: string;
  config: Record<string, unknown>;
  menu: ReactNode; // swap and configure, in the card's header
  onRemove: () => void;
  onKeyMove: (e: KeyboardEvent) => void;
}

// components are the card types this app can draw, by the type the
// console's catalog (GET /api/cards/catalog) names them with; the title
// and size are used only when the catalog cannot be read.
export const components: Record<string, { component: ComponentType<CardProps>; title: string; w: number; h: number }> = {
  clusters: { component: ClusterHealth, title: "Clusters", w: 12, h: 3 },
  issues: { component: Issues, title: "Issues", w: 12, h: 4 },
  pods: { component: Pods, title: "Pods", w: 6, h: 4 },
  deployments: { component: Deployments, title: "Deployments", w: 6, h: 4 },
  services: { component: Services, title: "Services", w: 6, h: 4 },
  events: { component: Events, title: "Events", w: 6, h: 4 },
  security: { component: Security, title: "Security", w: 12, h: 4 },
  nodes: { component: Nodes, title: "Nodes", w: 6, h: 3 },
  namespace_overview: { component: NamespaceOverview, title: "Namespace overview", w: 6, h: 4 },
  top_pods: { component: TopPods, title: "Top pods", w: 6, h: 4 },
  node_usage: { component: NodeUsage, title: "Node capacity and use", w: 6, h: 3 },
  resource_cost: { component: ResourceCost, title: "Resource use and cost", w: 6, h: 4 },
  access: { component: Access, title: "Your access", w: 6, h: 4 },
  changes: { component: Changes, title: "Recent changes", w: 6, h: 4 },
  recommendations: { component: Recommendations, title: "Recommended cards", w: 6, h: 4 },
  cluster_detail: { component: ClusterDetailCard, title: "Cluster detail", w: 12, h: 6 },
};
