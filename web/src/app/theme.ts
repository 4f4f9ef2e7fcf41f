import { useEffect, useState } from "react";

export type Theme = "light" | "dark";

const key = "kubemcp.theme";

function initialTheme(): Theme {
  const saved = localStorage.getItem(key);
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

// useTheme keeps the theme on <html data-theme>, where the CSS reads it,
// and in this browser's storage.
export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(key, theme);
  }, [theme]);
  return [theme, setTheme];
}
