import { useEffect, useRef } from "react";
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";

// Only the pieces a bar chart uses, so the chunk stays small; this module
// is loaded lazily (NodeUsage), never with the first page.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface UsageBar {
  label: string; // cluster/node
  cpu?: number; // percent of allocatable
  memory?: number;
}

// UsageChart draws each node's CPU and memory use, in percent of its
// allocatable, as horizontal bars (Chart.js). It is an image with a
// summary for screen readers; the card's table beside it has the figures.
export default function UsageChart({ bars, summary }: { bars: UsageBar[]; summary: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const css = getComputedStyle(canvas.current!);
    const color = (v: string) => css.getPropertyValue(v).trim();
    const chart = new Chart(canvas.current!, {
      type: "bar",
      data: {
        labels: bars.map((b) => b.label),
        datasets: [
          { label: "CPU %", data: bars.map((b) => b.cpu ?? 0), backgroundColor: color("--accent") },
          { label: "Memory %", data: bars.map((b) => b.memory ?? 0), backgroundColor: color("--good") },
        ],
      },
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { min: 0, max: 100, ticks: { color: color("--muted") }, grid: { color: color("--border") } },
          y: { ticks: { color: color("--text") }, grid: { display: false } },
        },
        plugins: { legend: { labels: { color: color("--text") } } },
      },
    });
    return () => chart.destroy();
  }, [bars]);
  return (
    <div className="usage-chart" style={{ height: `${3 + bars.length * 2.5}rem` }}>
      <canvas ref={canvas} role="img" aria-label={summary}>
        {summary}
      </canvas>
    </div>
  );
}
