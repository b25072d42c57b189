import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import { decodeJwt, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { anonClient, buildUser, linkIn, serviceClient, stack, uniqueEmail, withDatabase } from "../support/supabase";

/**
 * Issue 12, "Incompatibilities": each block is GoTrue's documented behaviour (v2.18x), driven through supabase-js
 * as an app would call it against a Supabase project.
 */

async function mailsTo(email: string): Promise<{ subject: string; text: string }[]> {
  return withDatabase(async (db) => {
    const { rows } = await db.query<{ subject: string; text_body: string }>(
      "select subject, text_body from embedded.mail_outbox where to_email = $1 order by id",
      [email.toLowerCase()],
    );
    return rows.map((row) => ({ subject: row.subject, text: row.text_body }));
  });
}

const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];
const tokenHashIn = (text: string) => linkIn(text).searchParams.get("token_hash")!;

async function sqlUpdate(sql: string, params: unknown[]) {
  await withDatabase((db) => db.query<Record<string, unknown>>(sql, params));
}

async function authFetch(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set("apikey", stack().anonKey);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  if (init.body) headers.set("content-type", "application/json");
  return fetch(`${stack().url}/auth/v1${path}`, { ...init, headers });
}

async function signIn(email: string, password: string) {
  const client = anonClient();
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`sign in: ${error.message}`);
  return { client, session: data.session };
}

describe("1. updateUser({ email }) changes the address after both addresses confirm", () => {
  it("sets new_email, mails both addresses, and changes the address on the second confirmation", async () => {
    const user = await buildUser();
    const newEmail = uniqueEmail("moved");
    const { data, error } = await user.client.auth.updateUser({ email: newEmail });
    expect(error).toBeNull();
    expect(data.user?.email).toBe(user.email);
    expect(data.user?.new_email).toBe(newEmail);

    const [toNew] = await mailsTo(newEmail);
    const toCurrent = (await mailsTo(user.email)).at(-1)!;
    expect(linkIn(toNew!.text).searchParams.get("type")).toBe("email_change");
    expect(linkIn(toCurrent.text).searchParams.get("type")).toBe("email_change");

    const first = await anonClient().auth.verifyOtp({ token_hash: tokenHashIn(toNew!.text), type: "email_change" });
    expect(first.error).toBeNull();
    expect(first.data.session).toBeNull();
    expect((await user.client.auth.getUser()).data.user?.email).toBe(user.email);

    // The second confirmation, here as the code typed with the current address.
    const second = await anonClient().auth.verifyOtp({
      email: user.email,
      token: codeIn(toCurrent.text)!,
      type: "email_change",
    });
    expect(second.error).toBeNull();
    expect(second.data.user?.email).toBe(newEmail);
    expect(second.data.user?.new_email).toBeUndefined();
    expect((await anonClient().auth.signInWithPassword({ email: newEmail, password: user.password })).error).toBeNull();
    expect(
      (await anonClient().auth.signInWithPassword({ email: user.email, password: user.password })).error?.code,
    ).toBe("invalid_credentials");
    // The profile follows the address (the profiles trigger on auth.users.email).
    const { data: own } = await user.client.from("profiles").select("email").eq("id", user.id).single();
    expect(own?.email).toBe(newEmail);
  });

  it("refuses a malformed address (400), an undeliverable one (400 email_address_invalid) and a taken one (422)", async () => {
    const user = await buildUser();
    const other = await buildUser();
    const malformed = await user.client.auth.updateUser({ email: "not-an-email" });
    expect(malformed.error?.status).toBe(400);
    expect(malformed.error?.code).toBe("validation_failed");
    expect(malformed.error?.message).toBe("Unable to validate email address: invalid format");
    const undeliverable = await user.client.auth.updateUser({ email: "someone@example.com" });
    expect(undeliverable.error?.status).toBe(400);
    expect(undeliverable.error?.code).toBe("email_address_invalid");
    const taken = await user.client.auth.updateUser({ email: other.email });
    expect(taken.error?.status).toBe(422);
    expect(taken.error?.code).toBe("email_exists");
    expect((await user.client.auth.getUser()).data.user?.new_email).toBeUndefined();
  });
});

describe("2. identities", () => {
  it("returns the email identity with the user", async () => {
    const user = await buildUser();
    const { data } = await user.client.auth.getUser();
    expect(data.user?.identities).toHaveLength(1);
    expect(data.user?.identities?.[0]).toMatchObject({
      provider: "email",
      user_id: user.id,
      id: user.id,
      identity_data: { email: user.email, sub: user.id },
    });
    expect(data.user?.identities?.[0]?.identity_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a sign-up with a confirmed address with an obfuscated user without identities, changing nothing", async () => {
    const user = await buildUser();
    const before = (await mailsTo(user.email)).length;
    const { data, error } = await anonClient().auth.signUp({ email: user.email, password: "somebody-elses-password" });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user?.identities).toEqual([]);
    expect(data.user?.id).not.toBe(user.id);
    expect((await mailsTo(user.email)).length).toBe(before);
    expect(
      (await anonClient().auth.signInWithPassword({ email: user.email, password: user.password })).error,
    ).toBeNull();
  });
});

describe("3. resend", () => {
  it("sends the sign-up confirmation again, and nothing for a confirmed or unknown address", async () => {
    const email = uniqueEmail("resend");
    const client = anonClient();
    expect((await client.auth.signUp({ email, password: "a-good-password" })).error).toBeNull();
    const tooSoon = await anonClient().auth.resend({ type: "signup", email });
    expect(tooSoon.error?.code).toBe("over_email_send_rate_limit");
    await sqlUpdate("update auth.users set confirmation_sent_at = now() - interval '2 minutes' where email = $1", [
      email,
    ]);
    expect((await anonClient().auth.resend({ type: "signup", email })).error).toBeNull();
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(2);
    const verified = await anonClient().auth.verifyOtp({ token_hash: tokenHashIn(mails[1]!.text), type: "signup" });
    expect(verified.error).toBeNull();

    expect((await anonClient().auth.resend({ type: "signup", email })).error).toBeNull();
    expect(await mailsTo(email)).toHaveLength(2);
    expect((await anonClient().auth.resend({ type: "signup", email: uniqueEmail("nobody") })).error).toBeNull();
  });

  it("sends a pending address change again to both addresses", async () => {
    const user = await buildUser();
    const newEmail = uniqueEmail("resend-change");
    expect((await user.client.auth.updateUser({ email: newEmail })).error).toBeNull();
    await sqlUpdate("update auth.users set email_change_sent_at = now() - interval '2 minutes' where id = $1", [
      user.id,
    ]);
    expect((await anonClient().auth.resend({ type: "email_change", email: user.email })).error).toBeNull();
    expect(await mailsTo(newEmail)).toHaveLength(2);
    const newest = (await mailsTo(newEmail)).at(-1)!;
    const current = (await mailsTo(user.email)).at(-1)!;
    await anonClient().auth.verifyOtp({ token_hash: tokenHashIn(newest.text), type: "email_change" });
    const done = await anonClient().auth.verifyOtp({ token_hash: tokenHashIn(current.text), type: "email_change" });
    expect(done.data.user?.email).toBe(newEmail);
  });

  it("refuses an unknown type with GoTrue's message", async () => {
    const response = await authFetch("/resend", {
      method: "POST",
      body: JSON.stringify({ type: "magiclink", email: uniqueEmail() }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error_code: "validation_failed",
      msg: "Missing one of these types: signup, email_change, sms, phone_change",
    });
  });
});

describe("4. a password change", () => {
  it("refuses the same password, signs out other sessions and voids earlier links", async () => {
    const user = await buildUser();
    const other = await signIn(user.email, user.password);
    expect((await anonClient().auth.resetPasswordForEmail(user.email)).error).toBeNull();
    const recoveryHash = tokenHashIn((await mailsTo(user.email)).at(-1)!.text);

    expect((await user.client.auth.updateUser({ password: "" })).error?.code).toBe("weak_password");
    const same = await user.client.auth.updateUser({ password: user.password });
    expect(same.error?.status).toBe(422);
    expect(same.error?.code).toBe("same_password");

    expect((await user.client.auth.updateUser({ password: "a-fresh-password" })).error).toBeNull();
    expect((await user.client.auth.getUser()).data.user?.id).toBe(user.id);
    // supabase-js reports GoTrue's 403 session_not_found as a missing session.
    const otherUser = await anonClient().auth.getUser(other.session.access_token);
    expect(otherUser.data.user).toBeNull();
    expect(otherUser.error).not.toBeNull();
    const otherRefresh = await anonClient().auth.refreshSession({ refresh_token: other.session.refresh_token });
    expect(otherRefresh.error?.code).toBe("refresh_token_not_found");
    const recovery = await anonClient().auth.verifyOtp({ token_hash: recoveryHash, type: "recovery" });
    expect(recovery.error?.code).toBe("otp_expired");
  });
});

describe("5. admin.updateUserById", () => {
  it("changes email, password, confirmation, metadata, role and bans", async () => {
    const admin = serviceClient().auth.admin;
    const email = uniqueEmail("admin-update");
    const created = await admin.createUser({ email, password: "first-password", user_metadata: { keep: 1, drop: 2 } });
    const id = created.data.user!.id;
    expect((await anonClient().auth.signInWithPassword({ email, password: "first-password" })).error?.code).toBe(
      "email_not_confirmed",
    );
    const newEmail = uniqueEmail("admin-updated");
    const updated = await admin.updateUserById(id, {
      email: newEmail,
      password: "second-password",
      email_confirm: true,
      user_metadata: { drop: null, added: "yes" },
      app_metadata: { plan: "pro" },
    });
    expect(updated.error).toBeNull();
    expect(updated.data.user).toMatchObject({
      email: newEmail,
      user_metadata: { keep: 1, added: "yes" },
      app_metadata: { provider: "email", providers: ["email"], plan: "pro" },
    });
    expect(updated.data.user?.user_metadata).not.toHaveProperty("drop");
    expect(updated.data.user?.email_confirmed_at).toBeTruthy();
    expect(updated.data.user?.identities?.[0]?.identity_data?.email).toBe(newEmail);
    const signedIn = await signIn(newEmail, "second-password");

    const banned = await admin.updateUserById(id, { ban_duration: "24h" });
    expect(banned.error).toBeNull();
    expect(new Date(banned.data.user!.banned_until!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const refused = await anonClient().auth.signInWithPassword({ email: newEmail, password: "second-password" });
    expect(refused.error?.code).toBe("user_banned");
    expect((await signedIn.client.auth.getUser()).error?.code).toBe("user_banned");
    expect((await admin.updateUserById(id, { ban_duration: "none" })).data.user?.banned_until).toBeUndefined();
    expect(
      (await anonClient().auth.signInWithPassword({ email: newEmail, password: "second-password" })).error,
    ).toBeNull();

    const badBan = await admin.updateUserById(id, { ban_duration: "forever" });
    expect(badBan.error?.status).toBe(400);
    expect((await admin.updateUserById(id, { role: "anon" })).data.user?.role).toBe("anon");
    expect((await admin.updateUserById(randomUUID(), { email_confirm: true })).error?.code).toBe("user_not_found");
  });

  it("signs the user out everywhere when the admin sets a password", async () => {
    const user = await buildUser();
    const { data } = await user.client.auth.getSession();
    expect((await serviceClient().auth.admin.updateUserById(user.id, { password: "set-by-admin" })).error).toBeNull();
    const refresh = await anonClient().auth.refreshSession({ refresh_token: data.session!.refresh_token });
    expect(refresh.error?.code).toBe("refresh_token_not_found");
  });
});

describe("6. refresh-token reuse", () => {
  const ageTokens = (tokens: string[]) =>
    sqlUpdate("update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = any($1)", [
      tokens,
    ]);

  it("gives the active token back to its direct parent, even after the reuse interval", async () => {
    const user = await buildUser();
    const t0 = (await user.client.auth.getSession()).data.session!.refresh_token;
    const t1 = (await anonClient().auth.refreshSession({ refresh_token: t0 })).data.session!.refresh_token;
    await ageTokens([t0]);
    const again = await anonClient().auth.refreshSession({ refresh_token: t0 });
    expect(again.error).toBeNull();
    expect(again.data.session?.refresh_token).toBe(t1);
  });

  it("issues a new token for an older token within the interval, after a second rotation", async () => {
    const user = await buildUser();
    const t0 = (await user.client.auth.getSession()).data.session!.refresh_token;
    const t1 = (await anonClient().auth.refreshSession({ refresh_token: t0 })).data.session!.refresh_token;
    const t2 = (await anonClient().auth.refreshSession({ refresh_token: t1 })).data.session!.refresh_token;
    const late = await anonClient().auth.refreshSession({ refresh_token: t0 });
    expect(late.error).toBeNull();
    expect([t0, t1, t2]).not.toContain(late.data.session!.refresh_token);
    expect((await anonClient().auth.refreshSession({ refresh_token: t2 })).error).toBeNull();
  });

  it("revokes the session's tokens for an older token after the interval, keeping the session row", async () => {
    const user = await buildUser();
    const session = (await user.client.auth.getSession()).data.session!;
    const t0 = session.refresh_token;
    const t1 = (await anonClient().auth.refreshSession({ refresh_token: t0 })).data.session!.refresh_token;
    const t2 = (await anonClient().auth.refreshSession({ refresh_token: t1 })).data.session!.refresh_token;
    await ageTokens([t0, t1]);
    const reuse = await anonClient().auth.refreshSession({ refresh_token: t0 });
    expect(reuse.error?.code).toBe("refresh_token_already_used");
    const active = await withDatabase(
      async (db) =>
        (
          await db.query<Record<string, unknown>>(
            "select count(*)::int as n from auth.refresh_tokens where session_id = $1 and not revoked",
            [decodeJwt(session.access_token).session_id],
          )
        ).rows[0]!.n,
    );
    expect(active).toBe(0);
    await ageTokens([t2]);
    expect((await anonClient().auth.refreshSession({ refresh_token: t2 })).error?.code).toBe(
      "refresh_token_already_used",
    );
  });
});

describe("7. admin.listUsers", () => {
  it("lists newest first with X-Total-Count and Link, and pages", async () => {
    const admin = serviceClient().auth.admin;
    for (let i = 0; i < 3; i += 1) await admin.createUser({ email: uniqueEmail("listed"), email_confirm: true });
    const { data, error } = await admin.listUsers({ page: 1, perPage: 2 });
    expect(error).toBeNull();
    expect(data.users).toHaveLength(2);
    expect((data as { total: number }).total).toBeGreaterThanOrEqual(3);
    expect((data as { nextPage: number | null }).nextPage).toBe(2);
    const [a, b] = data.users;
    expect(new Date(a!.created_at).getTime()).toBeGreaterThanOrEqual(new Date(b!.created_at).getTime());
    const second = await admin.listUsers({ page: 2, perPage: 2 });
    expect(second.data.users.map((u) => u.id)).not.toContain(a!.id);

    const headers = { apikey: stack().serviceRoleKey, authorization: `Bearer ${stack().serviceRoleKey}` };
    const raw = await fetch(`${stack().url}/auth/v1/admin/users?page=1&per_page=2`, { headers });
    const total = Number(raw.headers.get("x-total-count"));
    expect(total).toBeGreaterThanOrEqual(3);
    expect(raw.headers.get("link")).toContain(`page=${Math.ceil(total / 2)}&per_page=2>; rel="last"`);
    expect(raw.headers.get("link")).toContain('page=2&per_page=2>; rel="next"');

    const response = await fetch(`${stack().url}/auth/v1/admin/users?page=-1`, { headers });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code?: string }).error_code).toBe("validation_failed");
  });
});

describe("8. inviting a pending invitation", () => {
  it("sends the invitation again, and refuses a confirmed address", async () => {
    const admin = serviceClient().auth.admin;
    const email = uniqueEmail("reinvite");
    const first = await admin.inviteUserByEmail(email);
    expect(first.error).toBeNull();
    const again = await admin.inviteUserByEmail(email);
    expect(again.error).toBeNull();
    expect(again.data.user?.id).toBe(first.data.user?.id);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(2);
    expect(
      (await anonClient().auth.verifyOtp({ token_hash: tokenHashIn(mails[0]!.text), type: "invite" })).error?.code,
    ).toBe("otp_expired");
    expect(
      (await anonClient().auth.verifyOtp({ token_hash: tokenHashIn(mails[1]!.text), type: "invite" })).error,
    ).toBeNull();
    const confirmed = await admin.inviteUserByEmail(email);
    expect(confirmed.error?.status).toBe(422);
    expect(confirmed.error?.code).toBe("email_exists");
  });
});

describe("9. admin.generateLink", () => {
  it("returns working links for signup, invite, magiclink, recovery and an address change, mailing nothing", async () => {
    const admin = serviceClient().auth.admin;
    const signupEmail = uniqueEmail("gen-signup");
    const signup = await admin.generateLink({ type: "signup", email: signupEmail, password: "a-good-password" });
    expect(signup.error).toBeNull();
    expect(signup.data.properties).toMatchObject({
      verification_type: "signup",
      email_otp: expect.stringMatching(/^\d{6}$/) as unknown,
    });
    expect(signup.data.user?.email).toBe(signupEmail);
    expect(linkIn(signup.data.properties!.action_link).searchParams.get("token_hash")).toBe(
      signup.data.properties!.hashed_token,
    );
    const verified = await anonClient().auth.verifyOtp({
      token_hash: signup.data.properties!.hashed_token,
      type: "signup",
    });
    expect(verified.error).toBeNull();

    const inviteEmail = uniqueEmail("gen-invite");
    const invite = await admin.generateLink({ type: "invite", email: inviteEmail });
    expect(invite.data.user?.invited_at).toBeTruthy();
    expect(
      (await anonClient().auth.verifyOtp({ token_hash: invite.data.properties!.hashed_token, type: "invite" })).error,
    ).toBeNull();

    const user = await buildUser();
    const magic = await admin.generateLink({ type: "magiclink", email: user.email });
    expect(
      (await anonClient().auth.verifyOtp({ email: user.email, token: magic.data.properties!.email_otp, type: "email" }))
        .error,
    ).toBeNull();
    const recovery = await admin.generateLink({ type: "recovery", email: user.email });
    expect(
      (await anonClient().auth.verifyOtp({ token_hash: recovery.data.properties!.hashed_token, type: "recovery" }))
        .error,
    ).toBeNull();

    const newEmail = uniqueEmail("gen-change");
    const current = await admin.generateLink({ type: "email_change_current", email: user.email, newEmail });
    const next = await admin.generateLink({ type: "email_change_new", email: user.email, newEmail });
    expect(next.data.user?.new_email).toBe(newEmail);
    await anonClient().auth.verifyOtp({ token_hash: current.data.properties!.hashed_token, type: "email_change" });
    const changed = await anonClient().auth.verifyOtp({
      token_hash: next.data.properties!.hashed_token,
      type: "email_change",
    });
    expect(changed.data.user?.email).toBe(newEmail);

    const magicNew = uniqueEmail("gen-magic-new");
    const created = await admin.generateLink({ type: "magiclink", email: magicNew });
    expect(created.data.properties?.verification_type).toBe("signup");
    const missing = await admin.generateLink({ type: "recovery", email: uniqueEmail("nobody") });
    expect(missing.error?.status).toBe(404);
    expect(missing.error?.code).toBe("user_not_found");
    for (const email of [signupEmail, inviteEmail, newEmail, magicNew]) expect(await mailsTo(email)).toEqual([]);
  });
});

describe("10. admin.createUser honours password_hash, ban_duration and role", () => {
  it("signs in with an imported bcrypt hash, refuses a banned user, and puts the role in the token", async () => {
    const admin = serviceClient().auth.admin;
    const imported = uniqueEmail("imported");
    const hash = await bcrypt.hash("imported-password", 10);
    const created = await admin.createUser({ email: imported, password_hash: hash, email_confirm: true });
    expect(created.error).toBeNull();
    expect(
      (await anonClient().auth.signInWithPassword({ email: imported, password: "imported-password" })).error,
    ).toBeNull();
    const badHash = await admin.createUser({ email: uniqueEmail(), password_hash: "not-a-hash", email_confirm: true });
    expect(badHash.error?.status).toBe(400);

    const bannedEmail = uniqueEmail("banned");
    const banned = await admin.createUser({
      email: bannedEmail,
      password: "a-good-password",
      email_confirm: true,
      ban_duration: "876000h",
    });
    expect(banned.data.user?.banned_until).toBeTruthy();
    const refused = await anonClient().auth.signInWithPassword({ email: bannedEmail, password: "a-good-password" });
    expect(refused.error?.status).toBe(400);
    expect(refused.error?.code).toBe("user_banned");

    const roleEmail = uniqueEmail("role");
    const withRole = await admin.createUser({
      email: roleEmail,
      password: "a-good-password",
      email_confirm: true,
      role: "anon",
    });
    expect(withRole.data.user?.role).toBe("anon");
    const { session } = await signIn(roleEmail, "a-good-password");
    expect(decodeJwt(session.access_token).role).toBe("anon");
  });
});

describe("11. amr", () => {
  it("keeps the original method and time after a refresh, and says otp for a recovery sign-in", async () => {
    const user = await buildUser();
    const session = (await user.client.auth.getSession()).data.session!;
    const sessionId = decodeJwt(session.access_token).session_id as string;
    await sqlUpdate("update auth.mfa_amr_claims set updated_at = now() - interval '1 hour' where session_id = $1", [
      sessionId,
    ]);
    const refreshed = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    const amr = decodeJwt(refreshed.data.session!.access_token).amr as { method: string; timestamp: number }[];
    expect(amr).toHaveLength(1);
    expect(amr[0]?.method).toBe("password");
    expect(amr[0]!.timestamp).toBeLessThan(Date.now() / 1000 - 3000);

    const recovery = await serviceClient().auth.admin.generateLink({ type: "recovery", email: user.email });
    const verified = await anonClient().auth.verifyOtp({
      token_hash: recovery.data.properties!.hashed_token,
      type: "recovery",
    });
    expect((decodeJwt(verified.data.session!.access_token).amr as { method: string }[])[0]?.method).toBe("otp");
  });
});

describe("12. metadata", () => {
  it("deletes a key set to null", async () => {
    const user = await buildUser();
    expect((await user.client.auth.updateUser({ data: { colour: "blue", size: 2 } })).error).toBeNull();
    const { data } = await user.client.auth.updateUser({ data: { colour: null } });
    expect(data.user?.user_metadata).not.toHaveProperty("colour");
    expect(data.user?.user_metadata).toMatchObject({ size: 2, display_name: "Test Person" });
  });
});

describe("13. error messages", () => {
  it("answers invalid emails and wrong codes with GoTrue's messages", async () => {
    const malformed = await anonClient().auth.signInWithOtp({
      email: "no-at-sign",
      options: { shouldCreateUser: false },
    });
    expect(malformed.error?.status).toBe(400);
    expect(malformed.error?.message).toBe("Unable to validate email address: invalid format");
    const user = await buildUser();
    const wrongCode = await anonClient().auth.verifyOtp({ email: user.email, token: "000000", type: "email" });
    expect(wrongCode.error?.status).toBe(403);
    expect(wrongCode.error?.code).toBe("otp_expired");
    expect(wrongCode.error?.message).toBe("Token has expired or is invalid");
    const wrongLink = await anonClient().auth.verifyOtp({ token_hash: "f".repeat(56), type: "magiclink" });
    expect(wrongLink.error?.message).toBe("Email link is invalid or has expired");
  });
});

describe("14. reauthenticate", () => {
  it("mails a code that updateUser accepts as the nonce, once", async () => {
    const user = await buildUser();
    const before = (await mailsTo(user.email)).length;
    expect((await user.client.auth.reauthenticate()).error).toBeNull();
    const mails = await mailsTo(user.email);
    expect(mails).toHaveLength(before + 1);
    const nonce = codeIn(mails.at(-1)!.text)!;
    const wrong = await user.client.auth.updateUser({
      password: "after-reauth",
      nonce: nonce === "123456" ? "654321" : "123456",
    });
    expect(wrong.error?.status).toBe(422);
    expect(wrong.error?.code).toBe("reauthentication_not_valid");
    expect((await user.client.auth.updateUser({ password: "after-reauth", nonce })).error).toBeNull();
    const reused = await user.client.auth.updateUser({ password: "after-reauth-2", nonce });
    expect(reused.error?.code).toBe("reauthentication_not_valid");
  });
});

describe("15. tokens and scopes", () => {
  const sign = (claims: Record<string, unknown>, secret = stack().jwtSecret) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(secret));

  it("answers a bad JWT with 403 bad_jwt", async () => {
    const forged = await sign({ sub: randomUUID(), role: "authenticated" }, `wrong-${randomUUID()}-${randomUUID()}`);
    const { error } = await anonClient().auth.getUser(forged);
    expect(error?.status).toBe(403);
    expect(error?.code).toBe("bad_jwt");
  });

  it("lets a supabase_admin token use the admin endpoints", async () => {
    const token = await sign({ role: "supabase_admin" });
    const response = await authFetch("/admin/users?per_page=1", { token });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-total-count")).toMatch(/^\d+$/);
    const user = await buildUser();
    const asUser = await authFetch("/admin/users", {
      token: (await user.client.auth.getSession()).data.session!.access_token,
    });
    expect(asUser.status).toBe(403);
  });

  it("refuses an unknown sign-out scope with 400 and signs nobody out", async () => {
    const user = await buildUser();
    const session = (await user.client.auth.getSession()).data.session!;
    const response = await authFetch("/logout?scope=everywhere", { method: "POST", token: session.access_token });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_code?: string }).error_code).toBe("validation_failed");
    expect((await anonClient().auth.getUser(session.access_token)).data.user?.id).toBe(user.id);
  });
});
