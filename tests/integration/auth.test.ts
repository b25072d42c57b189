import { decodeJwt, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { anonClient, buildUser, latestMailTo, linkIn, stack, uniqueEmail, withDatabase } from "../support/supabase";

async function signToken(claims: Record<string, unknown>, secret: string, expiresIn: number) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(secret));
}

async function restAs(token: string, path: string) {
  return fetch(`${stack().url}/rest/v1/${path}`, {
    headers: { apikey: stack().anonKey, authorization: `Bearer ${token}` },
  });
}

describe("sign-up, confirmation and sign-in through supabase-js", () => {
  it("signs up an applicant who must confirm the email before signing in", async () => {
    const email = uniqueEmail("signup");
    const client = anonClient();
    const signUp = await client.auth.signUp({
      email,
      password: "a-good-password",
      options: { data: { display_name: "Nadia Haddad" }, emailRedirectTo: `${stack().url}/home` },
    });
    expect(signUp.error).toBeNull();
    expect(signUp.data.session).toBeNull();
    expect(signUp.data.user?.email).toBe(email);

    const early = await client.auth.signInWithPassword({ email, password: "a-good-password" });
    expect(early.error?.code).toBe("email_not_confirmed");

    const mail = await latestMailTo(email);
    expect(mail?.subject).toMatch(/confirm/i);
    const link = linkIn(mail!.text);
    expect(link.pathname).toBe("/auth/confirm");
    expect(link.searchParams.get("next")).toBe("/home");
    const verified = await client.auth.verifyOtp({ token_hash: link.searchParams.get("token_hash")!, type: "signup" });
    expect(verified.error).toBeNull();
    expect(verified.data.session?.access_token).toBeTruthy();

    const { data: profile } = await client.from("profiles").select("email, display_name").single();
    expect(profile).toEqual({ email, display_name: "Nadia Haddad" });
    const { data: roles } = await client.rpc("my_roles");
    expect(roles).toEqual(["applicant"]);

    // The link works once.
    const again = await anonClient().auth.verifyOtp({
      token_hash: link.searchParams.get("token_hash")!,
      type: "signup",
    });
    expect(again.error?.code).toBe("otp_expired");
  });

  it("creates no second account for the same email, and refuses a short password", async () => {
    const user = await buildUser();
    // GoTrue's answer: 200 with a made-up user without identities, so the form does not reveal the account.
    const duplicate = await anonClient().auth.signUp({ email: user.email, password: "another-password" });
    expect(duplicate.error).toBeNull();
    expect(duplicate.data.user?.identities).toEqual([]);
    expect(
      (await anonClient().auth.signInWithPassword({ email: user.email, password: "another-password" })).error?.code,
    ).toBe("invalid_credentials");
    const weak = await anonClient().auth.signUp({ email: uniqueEmail(), password: "short" });
    expect(weak.error?.code).toBe("weak_password");
  });

  it("refuses a wrong password with invalid_credentials, and an unknown email the same way", async () => {
    const user = await buildUser();
    const wrong = await anonClient().auth.signInWithPassword({ email: user.email, password: "not-the-password" });
    expect(wrong.error?.code).toBe("invalid_credentials");
    expect(wrong.error?.status).toBe(400);
    const unknown = await anonClient().auth.signInWithPassword({ email: uniqueEmail(), password: "whatever-123" });
    expect(unknown.error?.code).toBe("invalid_credentials");
  });

  it("rate-limits repeated failed sign-ins for one email, even when the right password follows", async () => {
    const user = await buildUser();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const { error } = await anonClient().auth.signInWithPassword({ email: user.email, password: `wrong-${attempt}` });
      expect(error?.code).toBe("invalid_credentials");
    }
    const blocked = await anonClient().auth.signInWithPassword({ email: user.email, password: user.password });
    expect(blocked.error?.status).toBe(429);
    expect(blocked.error?.code).toBe("over_request_rate_limit");
  });
});

describe("sessions", () => {
  it("issues access tokens with the claims Supabase issues", async () => {
    const user = await buildUser();
    const { data } = await user.client.auth.getSession();
    const { payload } = await jwtVerify(data.session!.access_token, new TextEncoder().encode(stack().jwtSecret));
    expect(payload).toMatchObject({
      sub: user.id,
      role: "authenticated",
      aud: "authenticated",
      email: user.email,
      app_metadata: { provider: "email", providers: ["email"] },
      aal: "aal1",
    });
    expect(payload.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it("rotates the refresh token and returns a working access token", async () => {
    const user = await buildUser();
    const { data: first } = await user.client.auth.getSession();
    const refreshed = await user.client.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.session!.refresh_token);
    // Same session, same amr (GoTrue keeps the sign-in method and time); the token is fresh for this session.
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.session!.access_token).session_id);
    expect(decodeJwt(second.access_token).exp).toBeGreaterThanOrEqual(decodeJwt(first.session!.access_token).exp!);
    const { data } = await user.client.auth.getUser(second.access_token);
    expect(data.user?.id).toBe(user.id);
  });

  it("revokes the session's tokens when an old refresh token is replayed after the reuse interval", async () => {
    const user = await buildUser();
    const { data: first } = await user.client.auth.getSession();
    const oldToken = first.session!.refresh_token;
    const rotated = await anonClient().auth.refreshSession({ refresh_token: oldToken });
    expect(rotated.error).toBeNull();
    // Within the interval, a second tab holding the same token is given the token the first one received.
    const sameTab = await anonClient().auth.refreshSession({ refresh_token: oldToken });
    expect(sameTab.data.session?.refresh_token).toBe(rotated.data.session!.refresh_token);

    await withDatabase((db) =>
      db.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [oldToken]),
    );
    // The direct parent of the active token still gets that token back (GoTrue); one rotation later it is reuse.
    const next = await anonClient().auth.refreshSession({ refresh_token: rotated.data.session!.refresh_token });
    expect(next.error).toBeNull();
    await withDatabase((db) =>
      db.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [
        rotated.data.session!.refresh_token,
      ]),
    );
    const replay = await anonClient().auth.refreshSession({ refresh_token: oldToken });
    expect(replay.error?.code).toBe("refresh_token_already_used");
    await withDatabase((db) =>
      db.query("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1", [
        next.data.session!.refresh_token,
      ]),
    );
    const newest = await anonClient().auth.refreshSession({ refresh_token: next.data.session!.refresh_token });
    expect(newest.error?.code).toBe("refresh_token_already_used");
  });

  it("signs out: the session and its refresh token stop working", async () => {
    const user = await buildUser();
    const { data } = await user.client.auth.getSession();
    const { access_token: accessToken, refresh_token: refreshToken } = data.session!;
    expect((await user.client.auth.signOut()).error).toBeNull();
    const after = await anonClient().auth.getUser(accessToken);
    expect(after.data.user).toBeNull();
    const refresh = await anonClient().auth.refreshSession({ refresh_token: refreshToken });
    expect(refresh.error).not.toBeNull();
  });

  it("refuses expired and forged JWTs at the REST API and the auth API", async () => {
    const user = await buildUser();
    const claims = { sub: user.id, role: "authenticated", aud: "authenticated", email: user.email };
    const expired = await signToken(claims, stack().jwtSecret, -60);
    const forged = await signToken(claims, "not-the-project-secret-not-the-project-secret", 3600);
    for (const token of [expired, forged]) {
      const response = await restAs(token, "profiles?select=id");
      expect(response.status).toBe(401);
      const { data, error } = await anonClient().auth.getUser(token);
      expect(data.user).toBeNull();
      expect(error?.status).toBe(403); // GoTrue's bad_jwt
    }
    const valid = await signToken(claims, stack().jwtSecret, 3600);
    const response = await restAs(valid, "profiles?select=id");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ id: user.id }]);
  });

  it("refuses requests without a valid API key at the gateway", async () => {
    const response = await fetch(`${stack().url}/rest/v1/profiles`);
    expect(response.status).toBe(401);
    const wrongKey = await fetch(`${stack().url}/auth/v1/user`, { headers: { apikey: "not-a-key" } });
    expect(wrongKey.status).toBe(401);
  });
});

describe("magic link and password recovery", () => {
  it("signs in with a magic link once; the mail offers no code, as no screen accepts one", async () => {
    const user = await buildUser();
    const client = anonClient();
    const sent = await client.auth.signInWithOtp({ email: user.email, options: { shouldCreateUser: false } });
    expect(sent.error).toBeNull();
    const mail = await latestMailTo(user.email);
    expect(mail?.subject).toMatch(/sign-in link/i);
    expect(mail!.text).not.toMatch(/\b\d{6}\b/);
    const tokenHash = linkIn(mail!.text).searchParams.get("token_hash")!;
    const viaLink = await client.auth.verifyOtp({ token_hash: tokenHash, type: "magiclink" });
    expect(viaLink.error).toBeNull();
    expect(viaLink.data.user?.id).toBe(user.id);
    const reused = await anonClient().auth.verifyOtp({ token_hash: tokenHash, type: "magiclink" });
    expect(reused.error?.code).toBe("otp_expired");
  });

  it("does not create accounts or reveal them through the magic-link form", async () => {
    const email = uniqueEmail("nobody");
    const { error } = await anonClient().auth.signInWithOtp({ email, options: { shouldCreateUser: false } });
    expect(error?.code).toBe("otp_disabled");
    expect(await latestMailTo(email)).toBeUndefined();
  });

  it("resets a forgotten password through the recovery link", async () => {
    const user = await buildUser();
    const client = anonClient();
    expect(
      (await client.auth.resetPasswordForEmail(user.email, { redirectTo: `${stack().url}/reset-password` })).error,
    ).toBeNull();
    const link = linkIn((await latestMailTo(user.email))!.text);
    expect(link.searchParams.get("type")).toBe("recovery");
    const verified = await client.auth.verifyOtp({
      token_hash: link.searchParams.get("token_hash")!,
      type: "recovery",
    });
    expect(verified.error).toBeNull();
    expect((await client.auth.updateUser({ password: "a-brand-new-password" })).error).toBeNull();
    expect(
      (await anonClient().auth.signInWithPassword({ email: user.email, password: user.password })).error?.code,
    ).toBe("invalid_credentials");
    expect(
      (await anonClient().auth.signInWithPassword({ email: user.email, password: "a-brand-new-password" })).error,
    ).toBeNull();
  });
});
