import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { securityHeaders } from "../../server/security-headers";
import { stack } from "../support/supabase";

const directives = (header: string | null) =>
  Object.fromEntries(
    (header ?? "")
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values]),
  );

describe("security headers on the app's pages", () => {
  it("a CSP whose only inline scripts are Remix's, carrying this response's nonce", async () => {
    const [first, second] = await Promise.all([fetch(`${stack().url}/sign-in`), fetch(`${stack().url}/sign-in`)]);
    const csp = directives(first.headers.get("content-security-policy"));
    const nonce = csp["script-src"]?.find((value) => value.startsWith("'nonce-"))?.slice(7, -1);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(csp["script-src"]).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(csp["script-src-attr"]).toEqual(["'none'"]);
    expect(csp["object-src"]).toEqual(["'none'"]);
    expect(csp["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp["base-uri"]).toEqual(["'self'"]);
    expect(csp["form-action"]).toEqual(["'self'"]);
    expect(csp["img-src"]).toEqual(["'self'", "data:", "blob:"]);
    const host = new URL(stack().url).host;
    expect(csp["connect-src"]).toEqual(expect.arrayContaining(["'self'", `ws://${host}`, `wss://${host}`]));
    // Another response, another nonce.
    expect(second.headers.get("content-security-policy")).not.toContain(`'nonce-${nonce}'`);

    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(html).not.toMatch(/\son[a-z]+="/i);
    await second.body?.cancel();
  });

  it("nosniff, a referrer policy, no framing, and no HSTS over plain HTTP (a forged X-Forwarded-Proto changes nothing)", async () => {
    const response = await fetch(`${stack().url}/`, { headers: { "x-forwarded-proto": "https" } });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(response.headers.get("x-powered-by")).toBeNull();
    await response.body?.cancel();
  });
});

describe("HSTS", () => {
  it("is sent only when the request was served over HTTPS (here: by a proxy TRUST_PROXY names)", async () => {
    const app = express();
    app.set("trust proxy", ["loopback"]);
    app.use(securityHeaders({ siteUrl: "https://accelerator.example.org" }));
    app.get("/", (_req, res) => void res.send("ok"));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const overHttps = await fetch(url, { headers: { "x-forwarded-proto": "https" } });
      expect(overHttps.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      const overHttp = await fetch(url);
      expect(overHttp.headers.get("strict-transport-security")).toBeNull();
      expect(overHttp.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    } finally {
      server.close();
    }
  });
});
