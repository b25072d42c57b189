import { describe, expect, it } from "vitest";
import { isLocalClient } from "../../server/client-address";
import { findUnacceptableJson } from "../../server/embedded/auth/request-guard";

describe("isLocalClient", () => {
  it("is a browser on this machine: a loopback address and no forwarding header", () => {
    for (const ip of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLocalClient(ip, {})).toBe(true);
  });
  it("is not anything that came through a proxy or from elsewhere", () => {
    expect(isLocalClient("10.0.0.5", {})).toBe(false);
    expect(isLocalClient("::ffff:192.0.2.1", {})).toBe(false);
    expect(isLocalClient(undefined, {})).toBe(false);
    expect(isLocalClient("127.0.0.1", { "x-forwarded-for": "127.0.0.1" })).toBe(false);
    expect(isLocalClient("127.0.0.1", { forwarded: "for=127.0.0.1" })).toBe(false);
    expect(isLocalClient("127.0.0.1", { "x-real-ip": "127.0.0.1" })).toBe(false);
  });
});

describe("findUnacceptableJson", () => {
  const deep = (depth: number) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown;
  it("accepts what Supabase Auth payloads look like", () => {
    expect(
      findUnacceptableJson({ email: "a@b.c", data: { display_name: "Zoë 🙂", tags: ["x", { y: 1 }] } }),
    ).toBeUndefined();
    expect(findUnacceptableJson(deep(32))).toBeUndefined();
  });
  it("finds NUL characters, lone surrogates (in values and keys) and deep nesting", () => {
    expect(findUnacceptableJson({ data: { name: "a\u0000b" } })).toMatch(/NUL/);
    expect(findUnacceptableJson({ data: { ["k\u0000"]: 1 } })).toMatch(/NUL/);
    expect(findUnacceptableJson({ data: { name: "\ud800" } })).toMatch(/surrogate/);
    expect(findUnacceptableJson({ data: { name: "x\udc00y" } })).toMatch(/surrogate/);
    expect(findUnacceptableJson(deep(33))).toMatch(/deeper/);
    expect(findUnacceptableJson(deep(20_000))).toMatch(/deeper/);
  });
});
