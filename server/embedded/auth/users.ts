import { z } from "zod";
import { AuthError } from "./errors.js";
import type { AuthIdentityRow, AuthUserRow } from "./store.js";

/**
 * The user object as GoTrue serialises it (models.User): absent timestamps are left out, `new_email` shows a
 * pending address change, and `identities` lists the user's identities (the email one for our accounts).
 */
export function publicUser(user: AuthUserRow, identities: AuthIdentityRow[]) {
  const iso = (value: Date | null | undefined) => (value ? value.toISOString() : undefined);
  const bannedUntil = user.banned_until === null ? undefined : user.banned_until;
  return {
    id: user.id,
    aud: user.aud,
    role: user.role,
    email: user.email,
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone: "",
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.email_confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    reauthentication_sent_at: iso(user.reauthentication_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? { provider: "email", providers: ["email"] },
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(publicIdentity),
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    // node-postgres reads `infinity` as the number Infinity: GoTrue would print a far-future date.
    banned_until:
      bannedUntil === undefined
        ? undefined
        : Number.isFinite(Number(bannedUntil))
          ? new Date(Number(bannedUntil)).toISOString()
          : "9999-12-31T23:59:59.999Z",
    is_anonymous: false,
  };
}

export function publicIdentity(identity: AuthIdentityRow) {
  return {
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data,
    provider: identity.provider,
    last_sign_in_at: identity.last_sign_in_at?.toISOString(),
    created_at: identity.created_at.toISOString(),
    updated_at: identity.updated_at.toISOString(),
    email: identity.email ?? undefined,
  };
}

/** GoTrue's answer to signing up again with a confirmed address: a made-up user, so nothing leaks (sanitizeUser). */
export function obfuscatedUser(email: string, userMetadata: Record<string, unknown> | undefined, id: string) {
  const now = new Date().toISOString();
  return {
    id,
    aud: "authenticated",
    role: "",
    email,
    phone: "",
    confirmation_sent_at: now,
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: userMetadata ?? {},
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}

/** node-postgres reads `infinity` (a permanent ban) as the number Infinity, not a Date. */
export function isBanned(user: AuthUserRow): boolean {
  return user.banned_until !== null && Number(user.banned_until) > Date.now();
}

// checkmail's format rule, which GoTrue's validateEmail applies.
const emailFormat =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

function emailProblem(value: string): string | undefined {
  if (value === "") return "An email address is required";
  if (value.length > 255) return "An email address is too long";
  return emailFormat.test(value) ? undefined : "Unable to validate email address: invalid format";
}

/** An email field with GoTrue's messages (validateEmail); lower-cased as GoTrue stores it. */
export const emailField = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const message = emailProblem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  })
  .transform((value) => value.toLowerCase());

/** Where GoTrue reads "" as "not given" (updateUser, admin updates, resend). */
export const optionalEmailField = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const message = value === "" ? undefined : emailProblem(value);
    if (message) ctx.addIssue({ code: "custom", message });
  })
  .transform((value) => value.toLowerCase())
  .optional();

// GoTrue's static checks on an address a mail is about to be sent to (validateclient). `.local` is left out: the
// embedded stack and its tests use it for their own addresses.
const invalidAddresses = new Set(["test@gmail.com", "example@gmail.com", "someone@gmail.com", "test@email.com"]);
const invalidHosts = new Set([
  "test",
  "example",
  "invalid",
  "localhost",
  "test.com",
  "example.com",
  "example.net",
  "example.org",
  "gamil.com",
  "gamai.com",
  "anonymous.com",
  "email.com",
]);
const invalidHostSuffixes = [".test", ".example", ".invalid", ".localhost"];

/** 400 email_address_invalid for an address no mail should be sent to, as GoTrue answers before mailing it. */
export function assertDeliverable(address: string): void {
  const host = address.slice(address.lastIndexOf("@") + 1);
  if (invalidAddresses.has(address) || invalidHosts.has(host) || invalidHostSuffixes.some((s) => host.endsWith(s))) {
    throw new AuthError(400, "email_address_invalid", `Email address "${address}" is invalid`);
  }
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `ban_duration` as GoTrue reads it (Go's time.ParseDuration, or "none"): milliseconds, 0 for "lift the ban",
 * undefined when absent; a malformed value is GoTrue's 400.
 */
export function parseBanDuration(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "none") return 0;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(value);
  if (!match) {
    throw new AuthError(400, "validation_failed", `invalid format for ban duration: time: invalid duration "${value}"`);
  }
  let total = 0;
  for (const part of value.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * durationUnits[part[2]!]!;
  }
  return match[1] === "-" ? -total : total;
}

/** GoTrue's Ban: a zero duration lifts the ban, anything else bans until now + duration. */
export function bannedUntilFor(durationMs: number | undefined): Date | null | undefined {
  if (durationMs === undefined) return undefined;
  return durationMs === 0 ? null : new Date(Date.now() + durationMs);
}
