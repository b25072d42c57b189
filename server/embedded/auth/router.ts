import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import express, { type NextFunction, type Request, type Response } from "express";
import type pg from "pg";
import { z } from "zod";
import { AuthError, authErrors } from "./errors.js";
import { RateLimiter } from "./rate-limit.js";
import { registerAdminRoutes } from "./admin-routes.js";
import {
  asyncRoute,
  BCRYPT_COST,
  bearerToken,
  clientIp,
  MAIL_RESEND_SECONDS,
  MIN_PASSWORD_LENGTH,
  OTP_MAX_AGE_SECONDS,
  parse,
  type AuthRouteContext,
  type AuthServiceOptions,
} from "./shared.js";
import type { AuthUserRow, OneTimeTokenType } from "./store.js";
import { newOtp, newRefreshToken, otpTokenHash, type AccessTokenClaims } from "./tokens.js";
import { registerUserRoutes, verifyEmailChange } from "./user-routes.js";
import { emailField, isBanned, obfuscatedUser, publicUser } from "./users.js";

/**
 * A Supabase-Auth-compatible service for the endpoints `supabase-js` calls, served under `/auth/v1` by the gateway.
 * It covers sign-up, password sign-in, refresh-token rotation, user, sign-out, magic link / email OTP, recovery and
 * the admin calls our seed and tests need. Mail links point to the app's `/auth/confirm` route with a token hash,
 * which is the server-side flow Supabase recommends for SSR apps. The signed-in person's own routes live in
 * user-routes.ts, the admin ones in admin-routes.ts.
 */
export type { AuthServiceOptions } from "./shared.js";

/** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL default. */
const REFRESH_REUSE_INTERVAL_MS = 10_000;

const email = emailField;
const metadata = z.record(z.string(), z.unknown()).optional();
const signUpBody = z.object({ email, password: z.string().max(72), data: metadata });
const passwordGrantBody = z.object({ email, password: z.string().max(1024) });
const refreshGrantBody = z.object({ refresh_token: z.string().min(1).max(255) });
const otpBody = z.object({ email, create_user: z.boolean().optional(), data: metadata });
const recoverBody = z.object({ email });
const verifyBody = z.union([
  z.object({
    type: z.enum(["signup", "invite", "magiclink", "recovery", "email", "email_change"]),
    token_hash: z.string().min(1).max(255),
  }),
  z.object({
    type: z.enum(["signup", "invite", "magiclink", "recovery", "email", "email_change"]),
    email,
    token: z.string().min(1).max(20),
  }),
]);

/**
 * Signing up again with a confirmed address: GoTrue answers 200 with a made-up user whose `identities` is empty
 * (apps can tell, nobody else learns the address has an account) and changes nothing; with autoconfirm on, 422.
 */
function repeatedSignUp(address: string, data: Record<string, unknown> | undefined, emailConfirmRequired: boolean) {
  if (!emailConfirmRequired) throw authErrors.userExists();
  return obfuscatedUser(address, data, randomUUID());
}

export function createAuthRouter(options: AuthServiceOptions): express.Router {
  const { store, outbox, signer } = options;
  const signInsPerIp = new RateLimiter(options.signInAttemptsPerIp, 5 * 60_000);
  const failuresPerEmail = new RateLimiter(options.failedSignInsPerEmail, 15 * 60_000);
  const dummyHash = bcrypt.hash("no account has this password", BCRYPT_COST);
  const router = express.Router();
  router.use(express.json({ limit: "64kb" }));
  router.use((_req, res, next) => {
    res.setHeader("x-supabase-api-version", "2024-01-01");
    res.setHeader("cache-control", "no-store");
    next();
  });

  async function userResponse(user: AuthUserRow) {
    return publicUser(user, await store.identitiesOf(user.id));
  }

  /** `method` is recorded on the session (auth.mfa_amr_claims), so every refreshed token carries it and its time. */
  async function issueSession(user: AuthUserRow, req: Request, method: string) {
    const refreshToken = newRefreshToken();
    const sessionId = await store.createSession(user.id, refreshToken, {
      userAgent: req.header("user-agent"),
      ip: clientIp(req).replace(/^::ffff:/, ""),
      method,
    });
    const signedIn = await store.updateUser(user.id, { lastSignIn: true });
    return sessionResponse(signedIn, sessionId, refreshToken);
  }

  async function sessionResponse(user: AuthUserRow, sessionId: string, refreshToken: string, db?: pg.PoolClient) {
    const { token, expiresAt } = await signer.signAccessToken({
      userId: user.id,
      email: user.email,
      role: user.role || "authenticated",
      sessionId,
      appMetadata: user.raw_app_meta_data ?? {},
      userMetadata: user.raw_user_meta_data ?? {},
      amr: await store.amrClaims(sessionId, db),
    });
    return {
      access_token: token,
      token_type: "bearer",
      expires_in: signer.expirySeconds,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: publicUser(user, await store.identitiesOf(user.id, db)),
    };
  }

  /** GoTrue's requireAuthentication: a bad token is 403 bad_jwt, a missing one 401, a banned user 403. */
  async function requireUser(req: Request): Promise<{ claims: AccessTokenClaims; user: AuthUserRow }> {
    const token = bearerToken(req);
    if (!token) throw authErrors.noAuthorization();
    const claims = await signer.verify(token);
    if (!claims.sub) throw authErrors.badJwt("invalid claim: missing sub claim");
    if (!z.uuid().safeParse(claims.sub).success) {
      throw new AuthError(400, "bad_jwt", "invalid claim: sub claim must be a UUID");
    }
    const user = await store.findUserById(claims.sub);
    if (!user) throw authErrors.tokenUserGone();
    if (claims.session_id && !(await store.sessionExists(claims.session_id))) throw authErrors.sessionNotFound();
    if (isBanned(user)) throw authErrors.userBanned();
    return { claims, user };
  }

  /** GoTrue's requireAdmin: the token's role must be one of its admin roles (service_role, supabase_admin). */
  async function requireAdmin(req: Request): Promise<void> {
    const token = bearerToken(req);
    if (!token) throw authErrors.noAuthorization();
    const claims = await signer.verify(token);
    if (claims.role !== "service_role" && claims.role !== "supabase_admin") throw authErrors.notAdmin();
  }

  /** Mail links go to the app, which verifies the token hash server-side and sets the session cookies. */
  function confirmLink(tokenHash: string, type: string, redirectTo: unknown): string {
    const site = new URL(options.siteUrl);
    let next = "/";
    if (typeof redirectTo === "string") {
      try {
        const target = new URL(redirectTo, site);
        if (target.origin === site.origin) next = target.pathname + target.search;
      } catch {
        next = "/";
      }
    }
    const link = new URL("/auth/confirm", site);
    link.searchParams.set("token_hash", tokenHash);
    link.searchParams.set("type", type);
    link.searchParams.set("next", next);
    return link.toString();
  }

  async function sendTokenMail(
    user: AuthUserRow,
    tokenType: OneTimeTokenType,
    linkType: "signup" | "magiclink" | "recovery" | "invite",
    redirectTo: unknown,
  ): Promise<void> {
    const sentAt = tokenType === "recovery_token" ? user.recovery_sent_at : user.confirmation_sent_at;
    // GoTrue sends an invitation again whenever asked (sendInvite has no frequency limit).
    if (linkType !== "invite" && sentAt && Date.now() - sentAt.getTime() < MAIL_RESEND_SECONDS * 1000) {
      throw authErrors.emailRateLimited(MAIL_RESEND_SECONDS);
    }
    const otp = newOtp();
    const tokenHash = otpTokenHash(user.email, otp);
    await store.saveOneTimeToken(user.id, tokenType, tokenHash, user.email);
    const link = confirmLink(tokenHash, linkType, redirectTo);
    const subjects = {
      invite: "You are invited to Accelerator Network",
      signup: "Confirm your email for Accelerator Network",
      magiclink: "Your sign-in link for Accelerator Network",
      recovery: "Reset your Accelerator Network password",
    };
    const actions = {
      invite: "You have been invited to the Accelerator Network of the ITU Innovation and Entrepreneurship Alliance. Accept the invitation and choose your password by opening this link:",
      signup: "Confirm your email address by opening this link:",
      magiclink: "Sign in by opening this link:",
      recovery: "Choose a new password by opening this link:",
    };
    await outbox.send({
      to: user.email,
      subject: subjects[linkType],
      text: `${actions[linkType]}\n\n${link}\n\nOr enter this code: ${otp}\n\nThe link and the code work once, for one hour. If you did not ask for this, ignore this message.`,
    });
  }

  router.get("/health", (_req, res) => {
    res.json({ name: "embedded-auth", description: "Supabase-Auth-compatible service of the embedded stack" });
  });

  router.get("/settings", (_req, res) => {
    res.json({
      external: { email: true, phone: false },
      disable_signup: false,
      mailer_autoconfirm: !options.emailConfirmRequired,
      phone_autoconfirm: false,
      sms_provider: "",
    });
  });

  router.post(
    "/signup",
    asyncRoute(async (req, res) => {
      const body = parse(signUpBody, req.body);
      if (body.password.length < MIN_PASSWORD_LENGTH) throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
      const passwordHash = await bcrypt.hash(body.password, BCRYPT_COST);
      const existing = await store.findUserByEmail(body.email);
      if (existing?.email_confirmed_at) {
        res.json(repeatedSignUp(body.email, body.data, options.emailConfirmRequired));
        return;
      }
      const user = existing
        ? await store.updateUser(existing.id, { passwordHash, userMetadata: body.data })
        : await store.createUser({
            email: body.email,
            passwordHash,
            confirmed: !options.emailConfirmRequired,
            userMetadata: body.data ?? {},
          });
      if (!options.emailConfirmRequired) {
        res.json(await issueSession(user, req, "password"));
        return;
      }
      await sendTokenMail(user, "confirmation_token", "signup", req.query.redirect_to);
      res.json(await userResponse((await store.findUserById(user.id))!));
    }),
  );

  router.post(
    "/token",
    asyncRoute(async (req, res) => {
      const grantType = req.query.grant_type;
      if (grantType === "password") {
        const ip = clientIp(req);
        const body = parse(passwordGrantBody, req.body);
        const emailKey = `${body.email}`;
        const retry = Math.max(signInsPerIp.retryAfter(ip), failuresPerEmail.retryAfter(emailKey));
        if (retry > 0) throw authErrors.rateLimited(retry);
        signInsPerIp.hit(ip);
        const user = await store.findUserByEmail(body.email);
        // Compare against a dummy hash for unknown emails so timing does not reveal which addresses exist.
        const hash = user?.encrypted_password ?? (await dummyHash);
        const matches = await bcrypt.compare(body.password, hash);
        if (!user || !user.encrypted_password || !matches) {
          failuresPerEmail.hit(emailKey);
          throw authErrors.invalidCredentials();
        }
        if (isBanned(user)) throw new AuthError(400, "user_banned", "User is banned");
        if (!user.email_confirmed_at) throw authErrors.emailNotConfirmed();
        failuresPerEmail.reset(emailKey);
        res.json(await issueSession(user, req, "password"));
        return;
      }
      if (grantType === "refresh_token") {
        const body = parse(refreshGrantBody, req.body);
        const session = await store.transaction(async (db) => {
          const row = await store.lockRefreshToken(body.refresh_token, db);
          if (!row) throw authErrors.refreshTokenNotFound();
          const user = await store.findUserById(row.user_id, db);
          if (!user) throw authErrors.refreshTokenNotFound();
          if (isBanned(user)) throw new AuthError(400, "user_banned", "Invalid Refresh Token: User Banned");
          if (row.revoked) {
            // GoTrue's rules for a revoked token: the direct parent of the session's active token gets that token
            // back (the client lost the answer); any other within the reuse interval of its revocation gets a new
            // one (concurrent tabs); later, the session's whole token family is revoked.
            const active = await store.activeRefreshToken(row.session_id, db);
            if (active && active.parent === body.refresh_token) {
              return sessionResponse(user, row.session_id, active.token, db);
            }
            if (Date.now() - row.updated_at.getTime() >= REFRESH_REUSE_INTERVAL_MS) {
              await store.revokeTokenFamily(row.session_id, db);
              return authErrors.refreshTokenReused();
            }
          }
          const next = newRefreshToken();
          await store.rotateRefreshToken(
            { id: row.id, token: body.refresh_token, userId: row.user_id, sessionId: row.session_id },
            next,
            db,
          );
          return sessionResponse(user, row.session_id, next, db);
        });
        // The revocation above must commit, so the reuse error is thrown only after the transaction.
        if (session instanceof AuthError) throw session;
        res.json(session);
        return;
      }
      throw authErrors.grantUnsupported();
    }),
  );

  router.post(
    "/logout",
    asyncRoute(async (req, res) => {
      const { claims, user } = await requireUser(req);
      const requested = req.query.scope ?? "global";
      if (requested !== "global" && requested !== "local" && requested !== "others") {
        throw authErrors.validation(`Unsupported logout scope ${JSON.stringify(String(requested))}`);
      }
      const scope = requested;
      if (scope === "local") {
        if (claims.session_id) await store.deleteSession(claims.session_id);
      } else {
        await store.deleteSessions(user.id, scope, claims.session_id);
      }
      res.status(204).end();
    }),
  );

  router.post(
    "/otp",
    asyncRoute(async (req, res) => {
      const body = parse(otpBody, req.body);
      let user = await store.findUserByEmail(body.email);
      if (!user) {
        if (body.create_user === false) throw authErrors.otpSignupsDisabled();
        user = await store.createUser({ email: body.email, passwordHash: null, confirmed: false, userMetadata: body.data ?? {} });
      }
      await sendTokenMail(user, "recovery_token", "magiclink", req.query.redirect_to);
      res.json({});
    }),
  );

  router.post(
    "/recover",
    asyncRoute(async (req, res) => {
      const body = parse(recoverBody, req.body);
      const user = await store.findUserByEmail(body.email);
      // Same answer whether or not the address has an account, so the form cannot be used to find accounts.
      if (user) await sendTokenMail(user, "recovery_token", "recovery", req.query.redirect_to);
      res.json({});
    }),
  );

  router.post(
    "/verify",
    asyncRoute(async (req, res) => {
      const body = parse(verifyBody, req.body);
      if (body.type === "email_change") {
        res.json(await verifyEmailChange(context, req, body));
        return;
      }
      const tokenTypes: Record<Exclude<typeof body.type, "email_change">, OneTimeTokenType[]> = {
        signup: ["confirmation_token"],
        invite: ["confirmation_token"],
        magiclink: ["recovery_token"],
        recovery: ["recovery_token"],
        email: ["confirmation_token", "recovery_token"],
      };
      const ip = clientIp(req);
      const failureKey = "token_hash" in body ? `verify:${ip}` : `verify:${body.email}`;
      const retry = failuresPerEmail.retryAfter(failureKey);
      if (retry > 0) throw authErrors.rateLimited(retry);
      const tokenHash = "token_hash" in body ? body.token_hash : otpTokenHash(body.email, body.token);
      const consumed = await store.consumeOneTimeToken(tokenHash, tokenTypes[body.type], OTP_MAX_AGE_SECONDS);
      if (!consumed) {
        failuresPerEmail.hit(failureKey);
        // GoTrue's two messages: one for a link (token hash), one for a typed code.
        throw "token_hash" in body ? authErrors.otpExpired() : authErrors.otpInvalid();
      }
      const user = await store.updateUser(consumed.user_id, { confirm: true });
      // Every mail link or code signs in with the method "otp", recovery included (GoTrue's verifyPost).
      res.json(await issueSession(user, req, "otp"));
    }),
  );

  const context: AuthRouteContext = {
    options,
    store,
    outbox,
    userResponse,
    issueSession,
    sessionResponse: (user, sessionId, refreshToken) => sessionResponse(user, sessionId, refreshToken),
    requireUser,
    requireAdmin,
    confirmLink,
    sendTokenMail,
  };
  registerUserRoutes(router, context);
  registerAdminRoutes(router, context);

  router.use((_req, res) => {
    res.status(404).json(new AuthError(404, "not_found", "Not found").toJSON());
  });

  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof AuthError) {
      if (error.status === 429 && typeof error.extra.retry_after === "number") {
        res.setHeader("retry-after", String(error.extra.retry_after));
      }
      res.status(error.status).json(error.toJSON());
      return;
    }
    if (error instanceof SyntaxError) {
      res.status(400).json(authErrors.validation("Could not parse request body as JSON").toJSON());
      return;
    }
    console.error("auth service error", error);
    res.status(500).json(new AuthError(500, "unexpected_failure", "Unexpected failure").toJSON());
  });

  return router;
}
