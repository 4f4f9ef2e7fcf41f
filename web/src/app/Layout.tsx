import { NavLink, Outlet } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "../lib/api";
import { useMe } from "../features/auth/useMe";
import { useTheme } from "./theme";

export function Layout() {
  const [theme, setTheme] = useTheme();
  const me = useMe();
  const qc = useQueryClient();
  const signOut = async () => {
    await api.logout().catch(() => undefined); // signed out here either way
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
    await qc.resetQueries({ queryKey: ["me"] });
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">kubemcp</span>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Dashboard
          </NavLink>
          <NavLink to="/clusters">Clusters</NavLink>
          <NavLink to="/workloads">Workloads</NavLink>
          <NavLink to="/events">Events</NavLink>
          <NavLink to="/missions">Missions</NavLink>
          <NavLink to="/settings">Settings</NavLink>
        </nav>
        <span className="spacer" />
        <button type="button" onClick={() => setTheme(theme === "dark" ? "light" : "dark")} aria-pressed={theme === "dark"}>
          Dark theme
        </button>
        <span className="who">{me.data?.name}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
