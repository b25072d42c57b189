import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "../../app/lib/session.server";

describe("safeRedirectPath", () => {
  it("keeps same-site paths, with their query and fragment", () => {
    expect(safeRedirectPath("/home?tab=1")).toBe("/home?tab=1");
    expect(safeRedirectPath("/calls/42#apply")).toBe("/calls/42#apply");
    expect(safeRedirectPath("/eois/x/edit/contact?from=%2Fhome")).toBe("/eois/x/edit/contact?from=%2Fhome");
  });

  it("normalises what a browser would normalise, staying on the site", () => {
    expect(safeRedirectPath("/a/../home")).toBe("/home");
    // Encoded slashes and backslashes stay encoded: a browser reads them as one path segment, not as a host.
    expect(safeRedirectPath("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
    expect(safeRedirectPath("/%5Cevil.example")).toBe("/%5Cevil.example");
    expect(safeRedirectPath("/%09/evil.example")).toBe("/%09/evil.example");
  });

  // Each of these, sent as a Location header or typed into the address bar, lands on another site (or runs script).
  const bypasses = [
    "https://evil.example",
    "http://evil.example/home",
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/\t\\evil.example",
    "\t//evil.example",
    " //evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "/..//evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http:\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//user@evil.example",
    "//localhost@evil.example",
    "https://localhost:3000@evil.example/",
    "//evil.example%2F@localhost",
    "%2F%2Fevil.example",
    "%2f%2fevil.example",
    "%5C%5Cevil.example",
    "evil.example",
    "home",
    "",
    undefined,
    null,
    42,
    ["/home"],
  ];
  for (const value of bypasses) {
    it(`refuses ${JSON.stringify(value)}`, () => {
      expect(safeRedirectPath(value)).toBe("/home");
      expect(safeRedirectPath(value, "/")).toBe("/");
    });
  }
});
