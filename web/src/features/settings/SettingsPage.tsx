import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, type Settings } from "../../lib/api";
import { Outcome } from "../../components/Outcome";
import { useSettings } from "../../app/theme";
import { agentStatus, agentURL } from "./agent";

// SettingsPage changes what the console keeps for the user (AI mode, daily
// token limit, theme), shows today's AI use, and whether the local agent
// is running on this machine.
export function SettingsPage() {
  const s = useSettings();
  const usage = useQuery({ queryKey: ["missions"], queryFn: api.missions, select: (r) => r.usage });
  const agent = useQuery({ queryKey: ["agent"], queryFn: () => agentStatus(), retry: false, refetchInterval: 15_000 });
  const [form, setForm] = useState<Settings>();
  useEffect(() => setForm(s.data), [s.data]);
  if (s.isPending) return <Outcome kind="loading" message="Loading your settings…" />;
  if (s.error || !form) return <Outcome kind="error" message={s.error?.message ?? "No settings."} retry={() => s.refetch()} />;
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">Settings</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          s.save.mutate(form);
        }}
      >
        <div className="field">
          <label htmlFor="ai-mode">AI mode</label>
          <select id="ai-mode" value={form.aiMode} onChange={(e) => setForm({ ...form, aiMode: e.target.value as Settings["aiMode"] })}>
            <option value="low">Low: AI only when you ask</option>
            <option value="medium">Medium: summaries on demand</option>
            <option value="high">High: proactive</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="token-limit">Token limit a day</label>
          <input id="token-limit" type="number" min={0} step={1000} value={form.tokenLimit} onChange={(e) => setForm({ ...form, tokenLimit: Number(e.target.value) })} aria-describedby="usage" />
          <small id="usage" role="status">
            {usage.data
              ? `${usage.data.usedToday} of ${usage.data.limit} tokens used today (UTC)${usage.data.limit === 0 ? ": 0 turns AI off" : ""}`
              : usage.error
                ? `Today's use could not be read: ${usage.error.message}`
                : "Reading today's use…"}
          </small>
        </div>
        <div className="field">
          <label htmlFor="theme">Theme</label>
          <select id="theme" value={form.theme} onChange={(e) => setForm({ ...form, theme: e.target.value as Settings["theme"] })}>
            <option value="system">As the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={s.save.isPending}>
          {s.save.isPending ? "Saving…" : "Save settings"}
        </button>{" "}
        <span role="status">{s.save.isSuccess ? "Settings saved" : ""}</span>
        {s.save.error && (
          <p role="alert" className="error">
            Not saved: {s.save.error.message}
          </p>
        )}
      </form>
      <h2>Local agent</h2>
      <p role="status" data-agent={agent.data?.running ? "running" : "not-running"}>
        {agent.isPending
          ? "Asking the local agent…"
          : agent.data?.running
            ? `Running: kubemcp agent ${agent.data.version} at ${agentURL}${agent.data.kubectl ? ", kubectl available" : ", no kubectl"}`
            : `Not running (${agent.data?.reason}). Start it with \`kubemcp agent\`.`}
      </p>
    </section>
  );
}
