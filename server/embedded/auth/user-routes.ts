import bcrypt from "bcryptjs";
import type express from "express";
import type { Request } from "express";
import { z } from "zod";
import { authMail, reauthenticationMail, recipientLanguage } from "./auth-mails.js";
import { AuthError, authErrors } from "./errors.js";
import {
  asyncRoute,
  BCRYPT_COST,
  MAIL_RESEND_SECONDS,
  MIN_PASSWORD_LENGTH,
  OTP_MAX_AGE_SECONDS,
  parse,
  type AuthRouteContext,
} from "./shared.js";
import type { AuthUserRow } from "./store.js";
import { newOtp, otpTokenHash } from "./tokens.js";
import { assertDeliverable, optionalEmailField } from "./users.js";

/**
 * The signed-in person's own account, as GoTrue serves it: GET/PUT /user (address change with confirmation of both
 * addresses, password change, metadata), /reauthenticate (a code by mail for a sensitive change) and /resend.
 */
const metadata = z.record(z.string(), z.unknown()).optional();
const updateUserBody = z.object({
  email: optionalEmailField,
  password: z.string().max(72).optional(),
  nonce: z.string().max(20).optional(),
  data: metadata,
  app_metadata: metadata,
  phone: z.literal("").optional(),
});
const resendBody = z.object({
  type: z.string(),
  email: optionalEmailField,
  phone: z.string().optional(),
});

/** GoTrue's email_change_confirm_status: 0 none confirmed yet, 1 one of the two addresses confirmed. */
const ZERO_CONFIRMATIONS = 0;
const SINGLE_CONFIRMATION = 1;
const SINGLE_CONFIRMATION_ACCEPTED =
  "Confirmation link accepted. Please proceed to confirm link sent to the other email";

function assertSendable(sentAt: Date | null): void {
  if (sentAt && Date.now() - sentAt.getTime() < MAIL_RESEND_SECONDS * 1000) {
    const wait = Math.ceil(MAIL_RESEND_SECONDS - (Date.now() - sentAt.getTime()) / 1000);
    throw authErrors.emailRateLimited(Math.max(1, wait));
  }
}

/**
 * Mails a confirmation to the new address and, as GoTrue does with secure email change (its default), a second one
 * to the current address: the change happens once both links (or codes) are confirmed.
 */
async function sendEmailChange(ctx: AuthRouteContext, user: AuthUserRow, newEmail: string, redirectTo: unknown) {
  assertSendable(user.email_change_sent_at);
  const otpNew = newOtp();
  const otpCurrent = newOtp();
  const hashNew = otpTokenHash(newEmail, otpNew);
  const hashCurrent = otpTokenHash(user.email, otpCurrent);
  await ctx.store.transaction(async (db) => {
    await ctx.store.saveOneTimeToken(user.id, "email_change_token_new", hashNew, newEmail, db);
    await ctx.store.saveOneTimeToken(user.id, "email_change_token_current", hashCurrent, user.email, db);
    await ctx.store.startEmailChange(user.id, newEmail, db);
  });
  // Both mails in the account holder's language, each with its link and the code verifyOtp accepts.
  const language = await recipientLanguage(ctx.store.pool, user);
  const link = (tokenHash: string) => ctx.confirmLink(tokenHash, "email_change", redirectTo);
  await ctx.outbox.send(authMail("emailChange", language, newEmail, link(hashNew), { code: otpNew }));
  await ctx.outbox.send(
    authMail("emailChangeCurrent", language, user.email, link(hashCurrent), {
      code: otpCurrent,
      values: { from: user.email, to: newEmail },
    }),
  );
}

/** Checks a reauthentication nonce and uses it up (GoTrue's verifyReauthentication). */
async function verifyNonce(ctx: AuthRouteContext, user: AuthUserRow, nonce: string) {
  const consumed = await ctx.store.consumeOneTimeToken(
    otpTokenHash(user.email, nonce),
    ["reauthentication_token"],
    OTP_MAX_AGE_SECONDS,
  );
  if (!consumed || consumed.user_id !== user.id) throw authErrors.invalidNonce();
}

/**
 * POST /verify with type email_change. The first of the two confirmations answers GoTrue's "accepted" message and
 * changes nothing else; the second moves the address and signs in.
 */
export async function verifyEmailChange(
  ctx: AuthRouteContext,
  req: Request,
  body: { token_hash: string } | { email: string; token: string },
) {
  const tokenHash = "token_hash" in body ? body.token_hash : otpTokenHash(body.email, body.token);
  const expired = () => ("token_hash" in body ? authErrors.otpExpired() : authErrors.otpInvalid());
  const result = await ctx.store.transaction(async (db) => {
    const consumed = await ctx.store.consumeOneTimeToken(
      tokenHash,
      ["email_change_token_new", "email_change_token_current"],
      OTP_MAX_AGE_SECONDS,
      db,
    );
    if (!consumed) throw expired();
    const user = await ctx.store.findUserById(consumed.user_id, db);
    if (!user?.email_change) throw expired();
    if (user.email_change_confirm_status === ZERO_CONFIRMATIONS) {
      await ctx.store.setEmailChangeConfirmStatus(user.id, SINGLE_CONFIRMATION, db);
      return undefined;
    }
    return ctx.store.confirmEmailChange(user.id, db);
  });
  if (!result) return { msg: SINGLE_CONFIRMATION_ACCEPTED, code: "200" };
  return ctx.issueSession(result, req, "otp");
}

export function registerUserRoutes(router: express.Router, ctx: AuthRouteContext): void {
  const { store } = ctx;

  router.get(
    "/user",
    asyncRoute(async (req, res) => {
      const { user } = await ctx.requireUser(req);
      res.json(await ctx.userResponse(user));
    }),
  );

  router.put(
    "/user",
    asyncRoute(async (req, res) => {
      const { claims, user } = await ctx.requireUser(req);
      const body = parse(updateUserBody, req.body);
      if (body.password !== undefined && body.password.length < MIN_PASSWORD_LENGTH) {
        throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
      }
      if (body.app_metadata !== undefined) {
        throw new AuthError(403, "not_admin", "Updating app_metadata requires admin privileges");
      }
      const newEmail = body.email && body.email !== user.email ? body.email : undefined;
      if (newEmail) {
        const holder = await store.findUserByEmail(newEmail);
        if (holder && holder.id !== user.id) throw authErrors.emailExists();
        assertDeliverable(newEmail);
      }
      let passwordHash: string | undefined;
      if (body.password !== undefined) {
        if (body.nonce) await verifyNonce(ctx, user, body.nonce);
        if (user.encrypted_password && (await bcrypt.compare(body.password, user.encrypted_password))) {
          throw authErrors.samePassword();
        }
        passwordHash = await bcrypt.hash(body.password, BCRYPT_COST);
      }
      if (passwordHash !== undefined || body.data !== undefined) {
        await store.transaction(async (db) => {
          await store.updateUser(user.id, { passwordHash, userMetadata: body.data }, db);
          if (passwordHash !== undefined) {
            // A new password means the person no longer trusts what the old one allowed (GoTrue's UpdatePassword):
            // every pending link and code dies, and every other session is signed out.
            await store.clearOneTimeTokens(user.id, db);
            await store.deleteSessions(user.id, "others", claims.session_id, db);
          }
        });
      }
      if (newEmail) {
        await sendEmailChange(ctx, (await store.findUserById(user.id))!, newEmail, req.query.redirect_to);
      }
      res.json(await ctx.userResponse((await store.findUserById(user.id))!));
    }),
  );

  router.get(
    "/reauthenticate",
    asyncRoute(async (req, res) => {
      const { user } = await ctx.requireUser(req);
      if (!user.email_confirmed_at) throw new AuthError(422, "email_not_confirmed", "Please verify your email first.");
      assertSendable(user.reauthentication_sent_at);
      const otp = newOtp();
      await store.transaction(async (db) => {
        await store.saveOneTimeToken(user.id, "reauthentication_token", otpTokenHash(user.email, otp), user.email, db);
        await store.markReauthenticationSent(user.id, db);
      });
      await ctx.outbox.send(reauthenticationMail(await recipientLanguage(store.pool, user), user.email, otp));
      res.json({});
    }),
  );

  router.post(
    "/resend",
    asyncRoute(async (req, res) => {
      const body = parse(resendBody, req.body);
      if (body.type !== "signup" && body.type !== "email_change") {
        if (body.type === "sms" || body.type === "phone_change") {
          throw new AuthError(400, "phone_provider_disabled", "Phone logins are disabled");
        }
        throw authErrors.validation("Missing one of these types: signup, email_change, sms, phone_change");
      }
      if (!body.email) {
        throw authErrors.validation(
          body.type === "signup" ? "Type provided requires an email address" : "Missing email address or phone number",
        );
      }
      const user = await store.findUserByEmail(body.email);
      // Unknown addresses, confirmed sign-ups and absent address changes all get the same empty answer (GoTrue).
      if (!user) {
        res.json({});
        return;
      }
      if (body.type === "signup") {
        // An invited account keeps its invitation: a sign-up confirmation would replace its token (as /signup).
        if (!user.email_confirmed_at && !user.invited_at) {
          await ctx.sendTokenMail(user, "confirmation_token", "signup", req.query.redirect_to);
        }
      } else if (user.email_change) {
        await sendEmailChange(ctx, user, user.email_change, req.query.redirect_to);
      }
      res.json({});
    }),
  );
}
