import { describe, expect, it } from "vitest";
import { keyPlace } from "./CardGrid";

describe("keyPlace", () => {
  const c = { x: 0, y: 0, w: 6, h: 4 };
  it("moves with arrows, inside the grid", () => {
    expect(keyPlace(c, "ArrowRight", false)).toEqual({ x: 1, y: 0, w: 6, h: 4 });
    expect(keyPlace(c, "ArrowLeft", false)).toEqual(c);
    expect(keyPlace(c, "ArrowUp", false)).toEqual(c);
    expect(keyPlace({ ...c, x: 6 }, "ArrowRight", false)).toEqual({ ...c, x: 6 });
    expect(keyPlace(c, "ArrowDown", false)).toEqual({ ...c, y: 1 });
  });
  it("resizes with Shift, not below the smallest card", () => {
    expect(keyPlace(c, "ArrowRight", true)).toEqual({ ...c, w: 7 });
    expect(keyPlace({ ...c, w: 2 }, "ArrowLeft", true)).toEqual({ ...c, w: 2 });
    expect(keyPlace({ ...c, h: 3 }, "ArrowUp", true)).toEqual({ ...c, h: 3 });
  });
  it("ignores other keys", () => {
    expect(keyPlace(c, "Enter", false)).toBeUndefined();
  });
});
