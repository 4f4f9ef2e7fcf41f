import { describe, expect, it } from "vitest";
import type { CatalogEntry } from "../../lib/api";
import { change, configFor, fields, missing } from "./catalog";

const scoped: CatalogEntry = {
  type: "pods",
  title: "Pods",
  description: "",
  defaultSize: { w: 6, h: 4 },
  configSchema: {
    type: "object",
    properties: { cluster: { type: "string", description: "the clusters" }, namespace: { type: "string" } },
  },
};
const plain: CatalogEntry = { ...scoped, type: "clusters", configSchema: { type: "object" } };
const detail: CatalogEntry = {
  ...scoped,
  type: "cluster_detail",
  configSchema: { type: "object", properties: { cluster: { type: "string" } }, required: ["cluster"] },
};
const catalog = [scoped, plain, detail];

describe("fields", () => {
  it("lists a schema's string properties with their descriptions", () => {
    expect(fields(scoped.configSchema)).toEqual([
      { name: "cluster", description: "the clusters", required: false },
      { name: "namespace", description: "", required: false },
    ]);
    expect(fields(detail.configSchema)[0].required).toBe(true);
    expect(fields(undefined)).toEqual([]);
  });
});

describe("configFor", () => {
  it("keeps what the schema has, trimmed, and leaves out empty values", () => {
    expect(configFor(scoped, { cluster: " main ", namespace: "", other: "x" })).toEqual({ cluster: "main" });
    expect(configFor(plain, { cluster: "main" })).toEqual({});
  });
});

describe("change", () => {
  const card = { type: "pods", config: { namespace: "web" } };
  it("is a swap when the type changes, keeping only the config the new type takes", () => {
    expect(change(card, "clusters", { namespace: "web" }, catalog)).toEqual({ kind: "swap", type: "clusters", config: {} });
  });
  it("is a configure when only the config changes", () => {
    expect(change(card, "pods", { namespace: "db" }, catalog)).toEqual({ kind: "configure", config: { namespace: "db" } });
  });
  it("is nothing when nothing changed", () => {
    expect(change(card, "pods", { namespace: "web", cluster: "" }, catalog)).toBeUndefined();
    expect(change({ type: "clusters", config: null }, "clusters", {}, catalog)).toBeUndefined();
  });
});

describe("missing", () => {
  it("names required fields left empty", () => {
    expect(missing(detail, {})).toEqual(["cluster"]);
    expect(missing(detail, { cluster: "main" })).toEqual([]);
  });
});
