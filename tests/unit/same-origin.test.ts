import { describe, expect, it } from "vitest";
import { checkSameOrigin } from "../../server/same-origin";

const site = "https://accelerator.example.org";
const post = (headers: Record<string, string>) => checkSameOrigin({ method: "POST", headers }, site);

describe("checkSameOrigin", () => {
  it("lets reads through whatever their headers", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) {
      expect(checkSameOrigin({ method, headers: { origin: "https://evil.example" } }, site).ok).toBe(true);
    }
  });

  it("accepts the site's own origin, or the origin of the host the request was sent to", () => {
    expect(post({ origin: site }).ok).toBe(true);
    expect(post({ origin: "http://localhost:3000", host: "localhost:3000" }).ok).toBe(true);
    expect(post({ origin: "https://app.internal:8443", host: "app.internal:8443" }).ok).toBe(true);
    expect(post({ referer: `${site}/people?tab=1` }).ok).toBe(true);
    expect(post({ referer: "http://localhost:3000/sign-in", host: "localhost:3000" }).ok).toBe(true);
  });

  it("refuses every state-changing method from elsewhere", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"]) {
      expect(checkSameOrigin({ method, headers: { origin: "https://evil.example" } }, site).ok).toBe(false);
    }
  });

  const refused: [string, Record<string, string>][] = [
    ["a foreign Origin", { origin: "https://evil.example", host: "accelerator.example.org" }],
    ["a foreign Origin even with a same-site Referer", { origin: "https://evil.example", referer: `${site}/` }],
    ["Origin null", { origin: "null", referer: `${site}/` }],
    ["a sibling subdomain", { origin: "https://evil.accelerator.example.org" }],
    ["another port", { origin: "https://accelerator.example.org:8443" }],
    ["an origin with a path", { origin: `${site}/x` }],
    ["an origin with userinfo", { origin: `https://user@accelerator.example.org` }],
    ["a non-http origin", { origin: "file://" }],
    ["an unparseable origin", { origin: "not a url" }],
    ["no Origin and a foreign Referer", { referer: "https://evil.example/people" }],
    ["no Origin and a look-alike Referer", { referer: "https://accelerator.example.org.evil.example/" }],
    ["no Origin and an unparseable Referer", { referer: "::" }],
    ["neither Origin nor Referer", {}],
    ["neither, though Host is set", { host: "accelerator.example.org" }],
  ];
  for (const [name, headers] of refused) {
    it(`refuses ${name}`, () => {
      expect(post(headers).ok).toBe(false);
    });
  }
});
