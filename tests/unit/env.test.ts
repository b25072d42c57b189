import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseServerEnv } from "../../server/env";

const project = {
  SUPABASE_URL: "https://abc.supabase.co",
  SUPABASE_ANON_KEY: "a".repeat(40),
  SUPABASE_SERVICE_ROLE_KEY: "s".repeat(40),
  SUPABASE_JWT_SECRET: "j".repeat(40),
  DATABASE_URL: "postgresql://postgres:pw@db.abc.supabase.co:5432/postgres",
};

describe("server environment", () => {
  it("defaults to the embedded stack with working values", () => {
    const env = parseServerEnv({});
    expect(env).toMatchObject({ mode: "embedded", PORT: 3000, PG_PORT: 54322, SITE_URL: "http://localhost:3000" });
    expect(env.mode === "embedded" && env.DATA_DIR).toBe(path.resolve(".data"));
  });

  it("switches to project mode only with all five variables", () => {
    expect(parseServerEnv(project)).toMatchObject({ mode: "project", SUPABASE_URL: project.SUPABASE_URL });
    expect(() => parseServerEnv({ ...project, DATABASE_URL: "" })).toThrow(/missing: DATABASE_URL/);
  });

  it("names a malformed variable", () => {
    expect(() => parseServerEnv({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseServerEnv({ ...project, DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgres/);
    expect(() => parseServerEnv({ AUTH_EMAIL_CONFIRM: "maybe" })).toThrow(/AUTH_EMAIL_CONFIRM/);
  });

  it("takes pino's levels for LOG_LEVEL and refuses anything else", () => {
    expect(parseServerEnv({}).LOG_LEVEL).toBe("info");
    expect(parseServerEnv({ LOG_LEVEL: "warn" }).LOG_LEVEL).toBe("warn");
    expect(() => parseServerEnv({ LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL/);
  });

  it("trusts no proxy unless TRUST_PROXY says which (a hop count or addresses), and never every address", () => {
    expect(parseServerEnv({}).TRUST_PROXY).toBeUndefined();
    expect(parseServerEnv({ TRUST_PROXY: "" }).TRUST_PROXY).toBeUndefined();
    expect(parseServerEnv({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(parseServerEnv({ TRUST_PROXY: "loopback, 10.0.0.0/8,fd00::/8, 192.0.2.7" }).TRUST_PROXY).toEqual([
      "loopback",
      "10.0.0.0/8",
      "fd00::/8",
      "192.0.2.7",
    ]);
    expect(parseServerEnv({ ...project, TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    for (const value of ["true", "*", "10.0.0.0/33", "example.org", "1.2.3.4/8/1", ",", "-1"]) {
      expect(() => parseServerEnv({ TRUST_PROXY: value }), value).toThrow(/TRUST_PROXY/);
    }
  });
});
