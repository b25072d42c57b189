import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "../../app/lib/session.server";

describe("safeRedirectPath", () => {
  it("keeps same-site paths", () => {
    expect(safeRedirectPath("/home?tab=1")).toBe("/home?tab=1");
  });
  it("refuses other sites and odd values", () => {
    for (const value of ["https://evil.example", "//evil.example", "/\\evil.example", "home", "", undefined, 42]) {
      expect(safeRedirectPath(value)).toBe("/home");
    }
  });
});
