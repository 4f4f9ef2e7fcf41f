import { describe, expect, it } from "vitest";
import { bytes, cpu, isChange, top, usageText } from "./insights";
import type { KubeEvent } from "../../../lib/kube";

describe("the insight cards' logic", () => {
  it("writes CPU and memory as people read them", () => {
    expect([cpu(120), cpu(1500), cpu(2000)]).toEqual(["120m", "1.50 cores", "2 cores"]);
    expect([bytes(300 * 1024 * 1024), bytes(6 * 1024 ** 3), bytes(1536)]).toEqual(["300 MiB", "6 GiB", "1.5 KiB"]);
  });
  it("says a node's use against its allocatable, or that it is unknown", () => {
    expect([usageText(37, "1.50 cores"), usageText(undefined, "6 GiB")]).toEqual(["37% of allocatable, 1.50 cores", "6 GiB (allocatable unknown)"]);
  });
  it("takes the heaviest first", () => {
    const rows = [{ n: 1 }, { n: 5 }, { n: 3 }];
    expect(top(rows, (r) => r.n, 2)).toEqual([{ n: 5 }, { n: 3 }]);
  });
  it("keeps the events that mean a change", () => {
    const ev = (reason: string, type = "Normal") => ({ reason, type }) as KubeEvent;
    expect([ev("ScalingReplicaSet"), ev("BackOff", "Warning"), ev("Pulled"), ev("FailedScheduling", "Warning")].filter(isChange).map((e) => e.reason)).toEqual([
      "ScalingReplicaSet",
      "Pulled",
    ]);
  });
});
