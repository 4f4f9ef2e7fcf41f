import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Route, Routes } from "react-router";
import { ApiError } from "../lib/api";
import { RequireUser } from "../features/auth/RequireUser";
import { Layout } from "./Layout";
import { DashboardPage } from "../features/dashboard/DashboardPage";
import { ClustersPage } from "../features/clusters/ClustersPage";
import { EventsPage } from "../features/events/EventsPage";
import { NotFound } from "./NotFound";
import { Outcome } from "../components/Outcome";

// Pages past the dashboard load when first opened, keeping the first
// download small.
const SettingsPage = lazy(() => import("../features/settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));
const ClusterPage = lazy(() => import("../features/clusters/ClusterPage").then((m) => ({ default: m.ClusterPage })));
const WorkloadsPage = lazy(() => import("../features/workloads/WorkloadsPage").then((m) => ({ default: m.WorkloadsPage })));
const PodPage = lazy(() => import("../features/workloads/PodPage").then((m) => ({ default: m.PodPage })));
const ObjectPage = lazy(() => import("../features/workloads/ObjectPage").then((m) => ({ default: m.ObjectPage })));
const MissionsPage = lazy(() => import("../features/missions/MissionsPage").then((m) => ({ default: m.MissionsPage })));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // One retry for a timeout or network failure; none for an answer the
      // console gave (401, 404, 400): asking again would get the same.
      retry: (count, err) => count < 1 && err instanceof ApiError && err.status === 0,
      refetchOnWindowFocus: false,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <RequireUser>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<DashboardPage />} />
              <Route path="clusters" element={<ClustersPage />} />
              <Route path="clusters/:name" element={<Lazy page={<ClusterPage />} />} />
              <Route path="workloads" element={<Lazy page={<WorkloadsPage />} />} />
              <Route path="workloads/:cluster/:namespace/:name" element={<Lazy page={<PodPage />} />} />
              <Route path="objects/:cluster" element={<Lazy page={<ObjectPage />} />} />
              <Route path="events" element={<EventsPage />} />
              <Route path="missions" element={<Lazy page={<MissionsPage />} />} />
              <Route path="settings" element={<Lazy page={<SettingsPage />} />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </RequireUser>
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function Lazy({ page }: { page: ReactNode }) {
  return <Suspense fallback={<Outcome kind="loading" message="Loading the page…" />}>{page}</Suspense>;
}
