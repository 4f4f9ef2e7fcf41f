import { useEffect } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Settings } from "../lib/api";

export type Theme = "light" | "dark";

const key = "kubemcp.theme";

// resolve turns a setting (system, light, dark) into the theme shown.
function resolve(setting: Settings["theme"] | undefined): Theme {
  const s = setting ?? localStorage.getItem(key);
  if (s === "light" || s === "dark") return s;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

// useSettings is the user's settings, kept by the console, and a way to
// change some of them.
export function useSettings() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["settings"], queryFn: api.settings, staleTime: Infinity });
  const save = useMutation({
    mutationFn: api.saveSettings,
    onSuccess: (s) => qc.setQueryData(["settings"], s),
  });
  return { ...q, save };
}

// useTheme keeps the theme on <html data-theme>, where the CSS reads it.
// The console stores it with the user's settings; this browser keeps a copy
// so the first paint, before the settings arrive, is already right.
export function useTheme(): [Theme, (t: Theme) => void] {
  const s = useSettings();
  const theme = resolve(s.data?.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    if (s.data) localStorage.setItem(key, s.data.theme);
  }, [theme, s.data]);
  return [theme, (t) => s.save.mutate({ theme: t })];
}
