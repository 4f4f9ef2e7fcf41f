import { describe, expect, it } from "vitest";
import { readHealth } from "./agent";

describe("readHealth", () => {
  it("reads a result as running, with its version", () => {
    expect(readHealth('{"id":"health","type":"result","payload":{"status":"ok","version":"v1.2","kubectl":true}}')).toEqual({
      running: true,
      version: "v1.2",
      kubectl: true,
    });
  });
  it("reads an error or garbage as not running, saying why", () => {
    expect(readHealth('{"type":"error","payload":{"code":"forbidden","message":"origin refused"}}')).toEqual({ running: false, reason: "origin refused" });
    expect(readHealth("<html>")).toEqual({ running: false, reason: "its answer is not JSON" });
  });
});
