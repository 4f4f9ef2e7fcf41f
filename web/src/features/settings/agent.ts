// The local agent (`kubemcp agent`) on this machine: asked for its health
// over its WebSocket, which lets pages from 127.0.0.1 and localhost in.

export const agentURL = "ws://127.0.0.1:8585/ws";

export type AgentStatus = { running: true; version: string; kubectl: boolean } | { running: false; reason: string };

// agentStatus asks the agent at url for its health, giving up after
// timeoutMs: no answer means it is not running (or not reachable here).
export function agentStatus(url = agentURL, timeoutMs = 3_000): Promise<AgentStatus> {
  return new Promise((resolve) => {
    let ws: WebSocket;
    const done = (s: AgentStatus) => {
      window.clearTimeout(timer);
      ws?.close();
      resolve(s);
    };
    const timer = window.setTimeout(() => done({ running: false, reason: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    try {
      ws = new WebSocket(url);
    } catch (e) {
      return done({ running: false, reason: String(e) });
    }
    ws.onopen = () => ws.send(JSON.stringify({ id: "health", type: "health" }));
    ws.onerror = () => done({ running: false, reason: `nothing answers at ${url}` });
    ws.onmessage = (e) => done(readHealth(String(e.data)));
  });
}

// readHealth reads the agent's answer to a health request.
export function readHealth(data: string): AgentStatus {
  try {
    const m = JSON.parse(data);
    if (m.type === "result") return { running: true, version: m.payload?.version ?? "?", kubectl: m.payload?.kubectl === true };
    return { running: false, reason: m.payload?.message ?? `answered ${m.type}` };
  } catch {
    return { running: false, reason: "its answer is not JSON" };
  }
}
