import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sameOrigin, signInCookie } from "../support/http";
import { buildUser, stack, uniqueEmail, withDatabase } from "../support/supabase";

/** A raw request to the embedded auth service, as any HTTP client could send it. */
function auth(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${stack().url}/auth/v1${path}`, {
    method: "POST",
    body,
    headers: { apikey: stack().anonKey, "content-type": "application/json", ...headers },
  });
}

async function expectAuthError(response: Response, status: number, errorCode: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ code: errorCode, error_code: errorCode });
  expect(typeof body.msg).toBe("string");
}

const signUp = (data: string) => `{"email":"${uniqueEmail("limits")}","password":"a-strong-password","data":${data}}`;

describe("/auth/v1 refuses bad bodies with a 4xx in Supabase's error shape, never a 500", () => {
  it("a body over 64 KB: 413", async () => {
    await expectAuthError(await auth("/signup", signUp(`{"bio":"${"x".repeat(70_000)}"}`)), 413, "request_too_large");
  });

  it("a gzip body that inflates past 64 KB: 413, and broken gzip: 400", async () => {
    const bomb = gzipSync(signUp(`{"bio":"${"x".repeat(1_000_000)}"}`));
    expect(bomb.length).toBeLessThan(10_000);
    await expectAuthError(await auth("/signup", bomb, { "content-encoding": "gzip" }), 413, "request_too_large");
    await expectAuthError(await auth("/signup", "not gzip at all", { "content-encoding": "gzip" }), 400, "bad_json");
    await expectAuthError(await auth("/signup", signUp("{}"), { "content-encoding": "br-unknown" }), 400, "bad_json");
  });

  it("a charset other than UTF-8: 400", async () => {
    await expectAuthError(
      await auth("/signup", signUp("{}"), { "content-type": "application/json; charset=latin1" }),
      400,
      "bad_json",
    );
    await expectAuthError(
      await auth("/signup", signUp("{}"), { "content-type": "application/json; charset=x-nonsense" }),
      400,
      "bad_json",
    );
  });

  it("broken JSON: 400", async () => {
    await expectAuthError(await auth("/signup", '{"email":'), 400, "bad_json");
  });

  it("a NUL character or a lone surrogate in metadata: 400, and no account", async () => {
    for (const data of [
      `{"display_name":"a\\u0000b"}`,
      `{"display_name":"\\ud800"}`,
      `{"a\\u0000":"b"}`,
      `{"display_name":"x\\udc00"}`,
    ]) {
      const email = uniqueEmail("metadata");
      const response = await auth("/signup", `{"email":"${email}","password":"a-strong-password","data":${data}}`);
      await expectAuthError(response, 400, "validation_failed");
      const users = await withDatabase(
        async (db) =>
          (await db.query<Record<string, unknown>>("select 1 from auth.users where email = $1", [email])).rowCount,
      );
      expect(users).toBe(0);
    }
    const user = await buildUser(["applicant"]);
    const session = await user.client.auth.getSession();
    const update = await fetch(`${stack().url}/auth/v1/user`, {
      method: "PUT",
      body: `{"data":{"display_name":"bad\\u0000name"}}`,
      headers: {
        apikey: stack().anonKey,
        authorization: `Bearer ${session.data.session!.access_token}`,
        "content-type": "application/json",
      },
    });
    await expectAuthError(update, 400, "validation_failed");
  });

  it("20,000-deep JSON: 400", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    await expectAuthError(await auth("/signup", signUp(deep)), 400, "validation_failed");
    await expectAuthError(
      await auth("/otp", `{"email":"${uniqueEmail("deep")}","data":{"x":${deep}}}`),
      400,
      "validation_failed",
    );
  });
});

describe("the client address for the per-address sign-in limit", () => {
  const lastSessionIp = (userId: string) =>
    withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select host(ip) as ip from auth.sessions where user_id = $1 order by created_at desc limit 1",
            [userId],
          )
        ).rows[0]?.ip as string | undefined,
    );

  it("ignores X-Forwarded-For when TRUST_PROXY is unset, called directly or through the app's sign-in form", async () => {
    const user = await buildUser(["applicant"]);
    const direct = await auth(
      "/token?grant_type=password",
      JSON.stringify({ email: user.email, password: user.password }),
      {
        "x-forwarded-for": "203.0.113.9",
      },
    );
    expect(direct.status).toBe(200);
    expect(await lastSessionIp(user.id)).toMatch(/^(127\.0\.0\.1|::1)$/);

    // A forged token does not help either.
    const forged = await auth(
      "/token?grant_type=password",
      JSON.stringify({ email: user.email, password: user.password }),
      {
        "x-forwarded-for": "203.0.113.10",
        "x-embedded-forwarding-token": "guess",
      },
    );
    expect(forged.status).toBe(200);
    expect(await lastSessionIp(user.id)).toMatch(/^(127\.0\.0\.1|::1)$/);

    const form = await fetch(`${stack().url}/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ email: user.email, password: user.password, redirectTo: "/home" }),
      headers: { ...sameOrigin(), "x-forwarded-for": "203.0.113.11" },
      redirect: "manual",
    });
    expect(form.status).toBe(302);
    expect(await lastSessionIp(user.id)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe("/dev/mail", () => {
  const devMail = (headers: Record<string, string> = {}) =>
    fetch(`${stack().url}/dev/mail`, { headers, redirect: "manual" });

  it("answers a browser on this machine", async () => {
    const response = await devMail();
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Mail viewer");
  });

  it("asks anyone else to sign in, refuses those who are not coordinators, and shows it to coordinators", async () => {
    // Through a proxy (X-Forwarded-For present, TRUST_PROXY unset): the request is not from this machine.
    const proxied = { "x-forwarded-for": "203.0.113.20" };
    const anonymous = await devMail(proxied);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/sign-in\?redirectTo=%2Fdev%2Fmail/);
    const mail = await fetch(`${stack().url}/dev/mail/1`, { headers: proxied, redirect: "manual" });
    expect(mail.status).toBe(302);

    const applicant = await signInCookie(await buildUser(["applicant"]));
    const refused = await devMail({ ...proxied, cookie: applicant });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain("/auth/confirm");

    const coordinator = await signInCookie(await buildUser(["coordinator"]));
    const allowed = await devMail({ ...proxied, cookie: coordinator });
    expect(allowed.status).toBe(200);
  });
});
