import { useEffect, useState } from "react";

// useNow re-renders every periodMs, so "as of" ages and stale marks appear
// without new data.
export function useNow(periodMs = 5_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), periodMs);
    return () => window.clearInterval(t);
  }, [periodMs]);
  return now;
}

export function timeOf(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
