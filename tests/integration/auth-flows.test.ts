import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "@supabase/supabase-js";
import express from "express";
import { jwtVerify } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { resources } from "../../app/i18n/config";
import { createAuthRouter } from "../../server/embedded/auth/router";
import { AuthStore } from "../../server/embedded/auth/store";
import { TokenSigner } from "../../server/embedded/auth/tokens";
import { MailOutbox } from "../../server/embedded/mail-outbox";
import { requireApiKey } from "../../server/gateway";
import { clientFrom, fetchFrom, pkceClient } from "../support/auth-clients";
import {
  anonClient,
  buildUser,
  latestMailTo,
  linkIn,
  serviceClient,
  stack,
  uniqueEmail,
  withDatabase,
} from "../support/supabase";

/** Opens a mail link as a browser would, without following the redirect: GoTrue answers 303. */
async function follow(link: URL): Promise<URL> {
  const response = await fetch(link, { redirect: "manual" });
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!);
}

async function latestHtmlTo(email: string) {
  return withDatabase(
    async (db) =>
      (
        await db.query<{ subject: string; html_body: string | null }>(
          "select subject, html_body from embedded.mail_outbox where to_email = $1 order by id desc limit 1",
          [email.toLowerCase()],
        )
      ).rows[0]!,
  );
}

describe("PKCE, as @supabase/ssr uses it", () => {
  it("signs in with a magic link: the link redirects with ?code= and exchangeCodeForSession returns a session", async () => {
    const user = await buildUser();
    const { client } = pkceClient();
    const sent = await client.auth.signInWithOtp({
      email: user.email,
      options: { shouldCreateUser: false, emailRedirectTo: `${stack().url}/home` },
    });
    expect(sent.error).toBeNull();
    const link = linkIn((await latestMailTo(user.email))!.text);
    expect(link.pathname).toBe("/auth/v1/verify");
    expect(link.searchParams.get("token")).toMatch(/^pkce_/);
    expect(link.searchParams.get("type")).toBe("magiclink");

    const landing = await follow(link);
    expect(landing.origin + landing.pathname).toBe(`${stack().url}/home`);
    const code = landing.searchParams.get("code");
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    const exchanged = await client.auth.exchangeCodeForSession(code!);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.user?.id).toBe(user.id);
    const { payload } = await jwtVerify(
      exchanged.data.session!.access_token,
      new TextEncoder().encode(stack().jwtSecret),
    );
    expect(payload.sub).toBe(user.id);
    expect((await client.auth.getUser()).data.user?.id).toBe(user.id);

    // The code works once, and the link too.
    const replay = await fetch(`${stack().url}/auth/v1/token?grant_type=pkce`, {
      method: "POST",
      headers: { apikey: stack().anonKey, "content-type": "application/json" },
      body: JSON.stringify({ auth_code: code, code_verifier: "x".repeat(43) }),
    });
    expect(replay.status).toBe(404);
    expect(await replay.json()).toMatchObject({ error_code: "flow_state_not_found" });
    const reused = await follow(link);
    expect(reused.searchParams.get("error_code")).toBe("otp_expired");
    expect(new URLSearchParams(reused.hash.slice(1)).get("error_code")).toBe("otp_expired");
  });

  it("confirms a sign-up through a ?code= link", async () => {
    const email = uniqueEmail("pkce-signup");
    const { client } = pkceClient();
    const signUp = await client.auth.signUp({
      email,
      password: "a-good-password",
      options: { emailRedirectTo: `${stack().url}/home` },
    });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    const link = linkIn((await latestMailTo(email))!.text);
    expect(link.searchParams.get("type")).toBe("signup");
    const code = (await follow(link)).searchParams.get("code")!;
    const exchanged = await client.auth.exchangeCodeForSession(code);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.user?.email_confirmed_at).toBeTruthy();
    expect((await anonClient().auth.signInWithPassword({ email, password: "a-good-password" })).error).toBeNull();
  });

  it("recovers a password through a ?code= link and reports the recovery", async () => {
    const user = await buildUser();
    const { client } = pkceClient();
    const events: string[] = [];
    client.auth.onAuthStateChange((event) => void events.push(event));
    expect(
      (await client.auth.resetPasswordForEmail(user.email, { redirectTo: `${stack().url}/reset-password` })).error,
    ).toBeNull();
    const link = linkIn((await latestMailTo(user.email))!.text);
    const landing = await follow(link);
    expect(landing.pathname).toBe("/reset-password");
    const exchanged = await client.auth.exchangeCodeForSession(landing.searchParams.get("code")!);
    expect(exchanged.error).toBeNull();
    expect((exchanged.data as { redirectType?: string }).redirectType).toBe("recovery");
    expect(events).toContain("PASSWORD_RECOVERY");
    expect((await client.auth.updateUser({ password: "a-brand-new-password" })).error).toBeNull();
    expect(
      (await anonClient().auth.signInWithPassword({ email: user.email, password: "a-brand-new-password" })).error,
    ).toBeNull();
  });

  it("refuses a wrong code verifier with bad_code_verifier, and then still accepts the right one", async () => {
    const user = await buildUser();
    const { client, storage } = pkceClient();
    await client.auth.signInWithOtp({ email: user.email, options: { shouldCreateUser: false } });
    const code = (await follow(linkIn((await latestMailTo(user.email))!.text))).searchParams.get("code")!;
    const key = [...storage.items.keys()].find((name) => name.endsWith("-code-verifier"))!;
    const verifier = storage.items.get(key)!;
    storage.setItem(key, JSON.stringify("a-verifier-that-does-not-match-the-challenge-at-all"));
    const wrong = await client.auth.exchangeCodeForSession(code);
    expect(wrong.error?.status).toBe(400);
    expect(wrong.error?.code).toBe("bad_code_verifier");
    expect(wrong.error?.message).toBe("code challenge does not match previously saved code verifier");
    storage.setItem(key, verifier);
    expect((await client.auth.exchangeCodeForSession(code)).error).toBeNull();
  });

  it("refuses an expired code with flow_state_expired", async () => {
    const user = await buildUser();
    const { client } = pkceClient();
    await client.auth.signInWithOtp({ email: user.email, options: { shouldCreateUser: false } });
    const code = (await follow(linkIn((await latestMailTo(user.email))!.text))).searchParams.get("code")!;
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update auth.flow_state set auth_code_issued_at = now() - interval '10 minutes' where auth_code = $1",
        [code],
      ),
    );
    const expired = await client.auth.exchangeCodeForSession(code);
    expect(expired.error?.status).toBe(422);
    expect(expired.error?.code).toBe("flow_state_expired");
  });

  it("accepts the plain method and validates the PKCE parameters as GoTrue does", async () => {
    const user = await buildUser();
    const verifier = "plain-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
    const headers = { apikey: stack().anonKey, "content-type": "application/json" };
    const halfDone = await fetch(`${stack().url}/auth/v1/otp`, {
      method: "POST",
      headers,
      body: JSON.stringify({ email: user.email, create_user: false, code_challenge: verifier }),
    });
    expect(halfDone.status).toBe(400);
    expect(await halfDone.json()).toMatchObject({
      error_code: "validation_failed",
      msg: "PKCE flow requires code_challenge_method and code_challenge",
    });
    const sent = await fetch(`${stack().url}/auth/v1/otp`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        email: user.email,
        create_user: false,
        code_challenge: verifier,
        code_challenge_method: "plain",
      }),
    });
    expect(sent.status).toBe(200);
    const code = (await follow(linkIn((await latestMailTo(user.email))!.text))).searchParams.get("code")!;
    const empty = await fetch(`${stack().url}/auth/v1/token?grant_type=pkce`, {
      method: "POST",
      headers,
      body: JSON.stringify({ auth_code: code }),
    });
    expect(empty.status).toBe(400);
    const session = await fetch(`${stack().url}/auth/v1/token?grant_type=pkce`, {
      method: "POST",
      headers,
      body: JSON.stringify({ auth_code: code, code_verifier: verifier }),
    });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ token_type: "bearer", user: { id: user.id } });
  });
});

describe("signing up with the address of an account that is not confirmed", () => {
  it("never touches an invited account: no session, the invitation still works, the other password does not", async () => {
    const email = uniqueEmail("invited");
    const invited = await serviceClient().auth.admin.inviteUserByEmail(email, {
      data: { display_name: "Board Member" },
    });
    expect(invited.error).toBeNull();
    const invitation = await latestMailTo(email);

    const attack = await anonClient().auth.signUp({
      email,
      password: "attacker-password",
      options: { data: { display_name: "Mallory" } },
    });
    expect(attack.error).toBeNull();
    expect(attack.data.session).toBeNull();
    expect(attack.data.user?.user_metadata).toEqual({});
    expect(attack.data.user?.identities).toEqual([]);
    expect(await latestMailTo(email)).toEqual(invitation);

    const attempt = await anonClient().auth.signInWithPassword({ email, password: "attacker-password" });
    expect(attempt.error?.code).toBe("invalid_credentials");
    const stored = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select encrypted_password, raw_user_meta_data from auth.users where id = $1",
            [invited.data.user!.id],
          )
        ).rows[0]!,
    );
    expect(stored.encrypted_password).toBeNull();
    expect(stored.raw_user_meta_data).toEqual({ display_name: "Board Member" });

    // Nor does asking for a sign-up confirmation (/resend), which would replace the invitation's token.
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update auth.users set confirmation_sent_at = now() - interval '2 minutes' where id = $1",
        [invited.data.user!.id],
      ),
    );
    expect((await anonClient().auth.resend({ type: "signup", email })).error).toBeNull();
    expect(await latestMailTo(email)).toEqual(invitation);

    const accepted = await anonClient().auth.verifyOtp({
      token_hash: linkIn(invitation!.text).searchParams.get("token_hash")!,
      type: "invite",
    });
    expect(accepted.error).toBeNull();
    expect(accepted.data.user?.id).toBe(invited.data.user!.id);
  });

  it("sends an unconfirmed sign-up its confirmation again and keeps the first password", async () => {
    const email = uniqueEmail("unconfirmed");
    expect((await anonClient().auth.signUp({ email, password: "the-first-password" })).error).toBeNull();
    // Within a minute the confirmation is not sent again (GoTrue's resend interval).
    const tooSoon = await anonClient().auth.signUp({ email, password: "a-second-password" });
    expect(tooSoon.error?.code).toBe("over_email_send_rate_limit");
    await withDatabase((db) =>
      db.query<Record<string, unknown>>(
        "update auth.users set confirmation_sent_at = now() - interval '2 minutes' where email = $1",
        [email],
      ),
    );
    const first = await latestMailTo(email);
    const again = await anonClient().auth.signUp({ email, password: "a-second-password" });
    expect(again.error).toBeNull();
    expect(again.data.session).toBeNull();
    const second = await latestMailTo(email);
    expect(second?.text).not.toBe(first?.text);
    const verified = await anonClient().auth.verifyOtp({
      token_hash: linkIn(second!.text).searchParams.get("token_hash")!,
      type: "signup",
    });
    expect(verified.error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: "a-second-password" })).error?.code).toBe(
      "invalid_credentials",
    );
    expect((await anonClient().auth.signInWithPassword({ email, password: "the-first-password" })).error).toBeNull();
  });
});

describe("rate limits count an address and a client together", () => {
  it("lets the owner sign in from their own device while a stranger's wrong guesses block only the stranger", async () => {
    const user = await buildUser();
    const stranger = clientFrom("127.0.0.2");
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { error } = await stranger.auth.signInWithPassword({ email: user.email, password: `wrong-${attempt}` });
      expect(error?.code).toBe("invalid_credentials");
    }
    const blocked = await stranger.auth.signInWithPassword({ email: user.email, password: user.password });
    expect(blocked.error?.status).toBe(429);
    expect(blocked.error?.code).toBe("over_request_rate_limit");
    const owner = await anonClient().auth.signInWithPassword({ email: user.email, password: user.password });
    expect(owner.error).toBeNull();
    const ownerElsewhere = await clientFrom("127.0.0.3").auth.signInWithPassword({
      email: user.email,
      password: user.password,
    });
    expect(ownerElsewhere.error).toBeNull();
  });

  it("counts wrong address-change codes like other wrong codes: the guessing client is blocked, not the owner", async () => {
    const user = await buildUser();
    expect((await user.client.auth.updateUser({ email: uniqueEmail("moved-guess") })).error).toBeNull();
    const stranger = clientFrom("127.0.0.4");
    const code = (await latestMailTo(user.email))!.text.match(/\b(\d{6})\b/)![1]!;
    const wrong = code === "000000" ? "111111" : "000000";
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { error } = await stranger.auth.verifyOtp({ email: user.email, token: wrong, type: "email_change" });
      expect(error?.code).toBe("otp_expired");
    }
    const blocked = await stranger.auth.verifyOtp({ email: user.email, token: code, type: "email_change" });
    expect(blocked.error?.status).toBe(429);
    const owner = await anonClient().auth.verifyOtp({ email: user.email, token: code, type: "email_change" });
    expect(owner.error).toBeNull();
  });
});

describe("address-change links opened through GoTrue's GET /verify", () => {
  it("answers the first confirmation with GoTrue's message and the second with the session, in the fragment", async () => {
    const user = await buildUser();
    const newEmail = uniqueEmail("moved-get");
    expect((await user.client.auth.updateUser({ email: newEmail })).error).toBeNull();
    const verifyLink = (mailText: string) => {
      const link = new URL("/auth/v1/verify", stack().url);
      link.searchParams.set("token", linkIn(mailText).searchParams.get("token_hash")!);
      link.searchParams.set("type", "email_change");
      link.searchParams.set("redirect_to", `${stack().url}/home`);
      return link;
    };
    const first = await follow(verifyLink((await latestMailTo(newEmail))!.text));
    expect(first.origin + first.pathname).toBe(`${stack().url}/home`);
    expect(new URLSearchParams(first.hash.slice(1)).get("message")).toBe(
      "Confirmation link accepted. Please proceed to confirm link sent to the other email",
    );
    const second = await follow(verifyLink((await latestMailTo(user.email))!.text));
    const fragment = new URLSearchParams(second.hash.slice(1));
    expect(fragment.get("type")).toBe("email_change");
    const { data } = await anonClient().auth.getUser(fragment.get("access_token")!);
    expect(data.user?.email).toBe(newEmail);
    // A used link goes back with GoTrue's error in the fragment.
    const reused = await follow(verifyLink((await latestMailTo(user.email))!.text));
    expect(new URLSearchParams(reused.hash.slice(1)).get("error_code")).toBe("otp_expired");
  });
});

describe("with AUTH_EMAIL_CONFIRM=false and a small per-client mail limit", () => {
  // A second auth service in this process, on the same real database, configured as these cases need (a second
  // whole server would take minutes to start on a busy machine).
  let server: Server;
  let pool: pg.Pool;
  let keys: { url: string; anonKey: string; serviceRoleKey: string };
  const client = (localAddress = "127.0.0.1") => clientFrom(localAddress, keys);

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: stack().databaseUrl, max: 4 });
    const app = express();
    app.use(
      "/auth/v1",
      requireApiKey([stack().anonKey, stack().serviceRoleKey]),
      createAuthRouter({
        store: new AuthStore(pool),
        outbox: new MailOutbox(pool),
        signer: new TokenSigner(stack().jwtSecret, `${stack().url}/auth/v1`, 3600),
        siteUrl: stack().url,
        serviceRoleKey: stack().serviceRoleKey,
        anonKey: stack().anonKey,
        emailConfirmRequired: false,
        signInAttemptsPerIp: 1000,
        failedSignInsPerEmail: 10,
        emailRequestsPerIp: 3,
      }),
    );
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
    });
    const { port } = server.address() as AddressInfo;
    keys = { url: `http://127.0.0.1:${port}`, anonKey: stack().anonKey, serviceRoleKey: stack().serviceRoleKey };
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await pool?.end();
  });

  it("gives no session for an invited address and changes nothing", async () => {
    const admin = createClient(keys.url, keys.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
      global: { fetch: fetchFrom("127.0.0.4") },
    });
    const email = uniqueEmail("invited-autoconfirm");
    expect((await admin.auth.admin.inviteUserByEmail(email)).error).toBeNull();
    const attack = await client("127.0.0.5").auth.signUp({ email, password: "attacker-password" });
    expect(attack.data.session).toBeNull();
    expect(attack.error?.code).toBe("user_already_exists");
    expect(
      (await client("127.0.0.5").auth.signInWithPassword({ email, password: "attacker-password" })).error?.code,
    ).toBe("invalid_credentials");
  });

  it("limits sign-ups, magic links and recovery mails per client with over_request_rate_limit", async () => {
    const busy = client("127.0.0.6");
    for (let request = 0; request < 3; request += 1) {
      expect((await busy.auth.resetPasswordForEmail(uniqueEmail("nobody"))).error).toBeNull();
    }
    const limited = await busy.auth.resetPasswordForEmail(uniqueEmail("nobody"));
    expect(limited.error?.status).toBe(429);
    expect(limited.error?.code).toBe("over_request_rate_limit");
    // Another client is not affected, and each endpoint counts on its own.
    expect((await client("127.0.0.7").auth.resetPasswordForEmail(uniqueEmail("nobody"))).error).toBeNull();
    expect((await busy.auth.signUp({ email: uniqueEmail("fresh"), password: "a-good-password" })).error).toBeNull();
  });
});

describe("auth mails in the recipient's language", () => {
  it("writes the confirmation in the language the sign-up form passed, Arabic right to left", async () => {
    const email = uniqueEmail("arabic");
    await anonClient().auth.signUp({ email, password: "a-good-password", options: { data: { locale: "ar" } } });
    const mail = await latestHtmlTo(email);
    expect(mail?.subject).toBe(resources.ar.translation.authMails.signup.subject);
    expect(mail?.html_body).toContain('<html lang="ar" dir="rtl">');
  });

  for (const language of ["en", "fr", "es", "ar", "ru", "zh"] as const) {
    it(`writes the recovery mail in the profile's language (${language}), with no code`, async () => {
      const user = await buildUser();
      await withDatabase((db) =>
        db.query<Record<string, unknown>>("update public.profiles set locale = $2 where id = $1", [user.id, language]),
      );
      expect((await anonClient().auth.resetPasswordForEmail(user.email)).error).toBeNull();
      const mail = await latestMailTo(user.email);
      expect(mail?.subject).toBe(resources[language].translation.authMails.recovery.subject);
      expect(mail?.text).toContain(resources[language].translation.authMails.recovery.action);
      expect(mail?.text).not.toMatch(/\b\d{6}\b/);
      expect((await latestHtmlTo(user.email))?.html_body).toContain(
        `lang="${language}" dir="${language === "ar" ? "rtl" : "ltr"}"`,
      );
    });
  }

  it("writes the invitation in the language the invitation carries", async () => {
    const email = uniqueEmail("invite-zh");
    await serviceClient().auth.admin.inviteUserByEmail(email, { data: { locale: "zh" } });
    expect((await latestMailTo(email))?.subject).toBe(resources.zh.translation.authMails.invite.subject);
  });

  it("writes both address-change mails in the account's language, each with its link and its code", async () => {
    const user = await buildUser();
    await withDatabase((db) =>
      db.query<Record<string, unknown>>("update public.profiles set locale = 'fr' where id = $1", [user.id]),
    );
    const newEmail = uniqueEmail("moved-fr");
    expect((await user.client.auth.updateUser({ email: newEmail })).error).toBeNull();
    const fr = resources.fr.translation.authMails;
    const toNew = await latestMailTo(newEmail);
    expect(toNew?.subject).toBe(fr.emailChange.subject);
    expect(toNew?.text).toContain(fr.emailChange.action);
    expect(linkIn(toNew!.text).searchParams.get("type")).toBe("email_change");
    expect(toNew?.text).toMatch(/Ou saisissez ce code : \d{6}/);
    const toCurrent = await latestMailTo(user.email);
    expect(toCurrent?.subject).toBe(fr.emailChangeCurrent.subject);
    expect(toCurrent?.text).toContain(`de ${user.email} en ${newEmail}`);
    expect((await latestHtmlTo(user.email))?.html_body).toContain('<html lang="fr" dir="ltr">');
  });

  it("writes the reauthentication code in the account's language, Arabic right to left, and the code works", async () => {
    const user = await buildUser();
    await withDatabase((db) =>
      db.query<Record<string, unknown>>("update public.profiles set locale = 'ar' where id = $1", [user.id]),
    );
    expect((await user.client.auth.reauthenticate()).error).toBeNull();
    const mail = await latestMailTo(user.email);
    expect(mail?.subject).toBe(resources.ar.translation.authMails.reauthentication.subject);
    expect(mail?.text).toContain(resources.ar.translation.authMails.reauthentication.action);
    expect(mail?.text).not.toMatch(/https?:\/\//);
    const nonce = /\b(\d{6})\b/.exec(mail!.text)?.[1];
    expect(nonce).toMatch(/^\d{6}$/);
    expect((await latestHtmlTo(user.email))?.html_body).toContain('<html lang="ar" dir="rtl">');
    expect((await user.client.auth.updateUser({ password: "after-reauth-ar", nonce })).error).toBeNull();
  });
});

describe("features left out answer with Supabase Auth's errors for a disabled feature", () => {
  it("OAuth: the /authorize page says the provider is not enabled", async () => {
    const { data } = await anonClient().auth.signInWithOAuth({
      provider: "github",
      options: { skipBrowserRedirect: true },
    });
    const response = await fetch(data.url!);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error_code: "validation_failed",
      msg: "Unsupported provider: provider is not enabled",
    });
  });

  it("MFA, phone, anonymous, SSO and Web3", async () => {
    const user = await buildUser();
    const enroll = await user.client.auth.mfa.enroll({ factorType: "totp" });
    expect(enroll.error?.code).toBe("mfa_totp_enroll_not_enabled");
    const phoneSignUp = await anonClient().auth.signUp({ phone: "+41790000000", password: "a-good-password" });
    expect(phoneSignUp.error?.code).toBe("phone_provider_disabled");
    const phoneOtp = await anonClient().auth.signInWithOtp({ phone: "+41790000000" });
    expect(phoneOtp.error?.code).toBe("phone_provider_disabled");
    const anonymous = await anonClient().auth.signInAnonymously();
    expect(anonymous.error?.code).toBe("anonymous_provider_disabled");
    const sso = await anonClient().auth.signInWithSSO({ domain: "example.org" });
    expect(sso.error?.code).toBe("saml_provider_disabled");
    const web3 = await fetch(`${stack().url}/auth/v1/token?grant_type=web3`, {
      method: "POST",
      headers: { apikey: stack().anonKey, "content-type": "application/json" },
      body: JSON.stringify({ chain: "solana", message: "m", signature: "s" }),
    });
    expect(web3.status).toBe(422);
    expect(await web3.json()).toMatchObject({ error_code: "web3_provider_disabled" });
  });
});
