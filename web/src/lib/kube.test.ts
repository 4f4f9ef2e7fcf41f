import { describe, expect, it } from "vitest";
import { podIssue, rolloutIssue, type Pod } from "./kube";

const row = (cells: Record<string, string>) => ({ name: "web", cells });

describe("rolloutIssue", () => {
  it("names replicas not ready, then not up to date", () => {
    expect(rolloutIssue(row({ READY: "1/3", "UP-TO-DATE": "3" }))).toBe("1/3 ready");
    expect(rolloutIssue(row({ READY: "3/3", "UP-TO-DATE": "2" }))).toBe("2/3 up to date");
    expect(rolloutIssue(row({ READY: "3/3", "UP-TO-DATE": "3" }))).toBe("");
    expect(rolloutIssue(row({ READY: "0/0" }))).toBe("");
  });
  it("says nothing of a row without the columns", () => {
    expect(rolloutIssue(row({}))).toBe("");
  });
});

describe("podIssue", () => {
  const pod = (status: string, ready: string): Pod => ({ namespace: "n", name: "p", status, ready, restarts: 0, created: "" });
  it("is the status when not running or finished, or the containers not ready", () => {
    expect(podIssue(pod("CrashLoopBackOff", "0/1"))).toBe("CrashLoopBackOff");
    expect(podIssue(pod("Running", "1/2"))).toBe("1/2 ready");
    expect(podIssue(pod("Running", "2/2"))).toBe("");
    expect(podIssue(pod("Completed", "0/1"))).toBe("");
  });
});
