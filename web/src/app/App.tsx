import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { BrowserRouter, Route, Routes } from "react-router";
import { ApiError } from "../lib/api";
import { RequireUser } from "../features/auth/RequireUser";
import { Layout } from "./Layout";
import { DashboardPage } from "../features/dashboard/DashboardPage";
import { ClustersPage } from "../features/clusters/ClustersPage";
import { EventsPage } from "../features/events/EventsPage";
import { NotFound } from "./NotFound";

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
              <Route path="events" element={<EventsPage />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </RequireUser>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
