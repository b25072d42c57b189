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
});
