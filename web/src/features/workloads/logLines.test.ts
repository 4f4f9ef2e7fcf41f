import { describe, expect, it } from "vitest";
import { keep, pieces } from "./logLines";

const line = (text: string) => ({ time: "", text });

describe("keep", () => {
  it("keeps the newest lines within the bound", () => {
    const got = keep([line("a"), line("b")], [line("c"), line("d"), line("e")], 3);
    expect(got.map((l) => l.text)).toEqual(["c", "d", "e"]);
  });
  it("keeps everything under the bound", () => {
    expect(keep([line("a")], [line("b")], 3).map((l) => l.text)).toEqual(["a", "b"]);
  });
});

describe("pieces", () => {
  it("marks every match", () => {
    expect(pieces("error: db error", "error")).toEqual([
      { text: "error", match: true },
      { text: ": db ", match: false },
      { text: "error", match: true },
    ]);
  });
  it("is case-sensitive, like the console's search", () => {
    expect(pieces("Error", "error")).toEqual([{ text: "Error", match: false }]);
  });
  it("leaves a line whole without a search", () => {
    expect(pieces("", "")).toEqual([{ text: "", match: false }]);
  });
});
