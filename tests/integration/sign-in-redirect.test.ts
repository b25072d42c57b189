import { beforeAll, describe, expect, it } from "vitest";
import { sameOrigin } from "../support/http";
import { buildUser, stack, type TestUser } from "../support/supabase";

let user: TestUser;
beforeAll(async () => {
  user = await buildUser(["applicant"]);
});

/** Signs in through the real route, as the form does, and returns where the server sends the browser. */
async function signInTo(redirectTo: string): Promise<string> {
  const response = await fetch(`${stack().url}/sign-in`, {
    method: "POST",
    body: new URLSearchParams({ email: user.email, password: user.password, redirectTo }),
    headers: sameOrigin(),
    redirect: "manual",
  });
  expect(response.status).toBe(302);
  return response.headers.get("location") ?? "";
}

/** Where a browser goes with that Location header, resolved exactly as it would be. */
const destination = (location: string) => new URL(location, stack().url);

describe("sign-in sends people back to this site only", () => {
  it("returns to the page that asked", async () => {
    expect(await signInTo("/calls?status=open#list")).toBe("/calls?status=open#list");
  });

  const bypasses = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/.//evil.example/",
    "https:evil.example",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "//user@evil.example/",
    `https://${new URL("http://localhost").host}@evil.example/`,
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
  ];
  for (const target of bypasses) {
    it(`stays on the site for redirectTo=${JSON.stringify(target)}`, async () => {
      const location = await signInTo(target);
      expect(destination(location).origin).toBe(stack().url);
      expect(location.startsWith("/") && !/^\/[/\\]/.test(location)).toBe(true);
      expect(location).not.toMatch(/[\t\r\n]/);
    });
  }
});
