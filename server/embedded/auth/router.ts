import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import express, { type NextFunction, type Request, type Response } from "express";
import type pg from "pg";
import { z } from "zod";
import { registerAdminRoutes } from "./admin-routes.js";
import { disabledFeaturesRouter } from "./disabled-features.js";
import { logger } from "../../logger.js";
import { AuthError, authErrors } from "./errors.js";
import {
  FlowStateStore,
  parsePkceParams,
  pkceErrors,
  verifyRedirect,
  PKCE_PREFIX,
  verifyCodeChallenge,
  type FlowAuthenticationMethod,
  type PkceParams,
} from "./pkce.js";
import { clientAddress, FailureBackoff, RateLimiter } from "./rate-limit.js";
import {
  asyncRoute,
  queryText,
  BCRYPT_COST,
  bearerToken,
  MAIL_RESEND_SECONDS,
  MIN_PASSWORD_LENGTH,
  OTP_MAX_AGE_SECONDS,
  parse,
  type AuthRouteContext,
  type AuthServiceOptions,
  type SessionResponse,
} from "./shared.js";
import type { AuthUserRow, OneTimeTokenType } from "./store.js";
import { newOtp, newRefreshToken, otpTokenHash, type AccessTokenClaims } from "./tokens.js";
import { registerUserRoutes, verifyEmailChange } from "./user-routes.js";
import { emailField, isBanned, obfuscatedUser, publicUser } from "./users.js";
import { authMail, recipientLanguage } from "./auth-mails.js";

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
  const flows = new FlowStateStore(store.pool);
  const signInsPerIp = new RateLimiter(options.signInAttemptsPerIp, 5 * 60_000);
  // Keyed by address and client together: a stranger's wrong guesses never lock the owner out (issue 12).
  const failedSignIns = new FailureBackoff(options.failedSignInsPerEmail);
  const mailRequestsPerIp = new RateLimiter(options.emailRequestsPerIp, 5 * 60_000);
  /** GoTrue's per-client limit on /signup, /otp and /recover (429 over_request_rate_limit). */
  function limitMailRequests(req: Request, endpoint: string) {
    const retry = mailRequestsPerIp.take(`${endpoint}:${clientAddress(req)}`);
    if (retry > 0) throw authErrors.rateLimited(retry);
  }
  const dummyHash = bcrypt.hash("no account has this password", BCRYPT_COST);
  const router = express.Router();
  router.use(express.json({ limit: "64kb" }));
  router.use((_req, res, next) => {
    res.setHeader("x-supabase-api-version", "2024-01-01");
    res.setHeader("cache-control", "no-store");
    next();
  });
  router.use(disabledFeaturesRouter(requireUser));

  async function userResponse(user: AuthUserRow) {
    return publicUser(user, await store.identitiesOf(user.id));
  }

  /** `method` is recorded on the session (auth.mfa_amr_claims), so every refreshed token carries it and its time. */
  async function issueSession(user: AuthUserRow, req: Request, method: string) {
    const refreshToken = newRefreshToken();
    const sessionId = await store.createSession(user.id, refreshToken, {
      userAgent: req.header("user-agent"),
      ip: clientAddress(req),
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

  /** A redirect target on our own site (GoTrue's allow list is the site URL), else the site itself. */
  function safeRedirect(redirectTo: unknown): URL {
    const site = new URL(options.siteUrl);
    if (typeof redirectTo === "string") {
      try {
        const target = new URL(redirectTo, site);
        if (target.origin === site.origin) return target;
      } catch {
        // fall through to the site
      }
    }
    return site;
  }

  /** Mail links go to the app, which verifies the token hash server-side and sets the session cookies. */
  function confirmLink(tokenHash: string, type: string, redirectTo: unknown): string {
    const site = new URL(options.siteUrl);
    const target = safeRedirect(redirectTo);
    const next = target.pathname + target.search;
    const link = new URL("/auth/confirm", site);
    link.searchParams.set("token_hash", tokenHash);
    link.searchParams.set("type", type);
    link.searchParams.set("next", next);
    return link.toString();
  }

  /** GoTrue's verify link for a PKCE flow: `/auth/v1/verify?token=pkce_…`, which answers with `?code=`. */
  function pkceVerifyLink(token: string, type: string, redirectTo: unknown): string {
    const link = new URL("/auth/v1/verify", options.siteUrl);
    link.searchParams.set("token", token);
    link.searchParams.set("type", type);
    link.searchParams.set("redirect_to", safeRedirect(redirectTo).toString());
    return link.toString();
  }

  const flowMethods: Record<string, FlowAuthenticationMethod> = {
    signup: "email/signup",
    magiclink: "magiclink",
    recovery: "recovery",
    invite: "invite",
  };

  /**
   * Mails a one-time link in the recipient's language. With PKCE, the flow state is recorded and the link goes
   * through /auth/v1/verify (GoTrue's `?code=` redirect); otherwise to our /auth/confirm token-hash route. No
   * code is offered: no screen of the app accepts one (issue 12).
   */
  async function sendTokenMail(
    user: AuthUserRow,
    tokenType: OneTimeTokenType,
    linkType: "signup" | "magiclink" | "recovery" | "invite",
    redirectTo: unknown,
    pkce?: PkceParams,
  ): Promise<void> {
    const sentAt = tokenType === "recovery_token" ? user.recovery_sent_at : user.confirmation_sent_at;
    // GoTrue sends an invitation again whenever asked (sendInvite has no frequency limit).
    if (linkType !== "invite" && sentAt && Date.now() - sentAt.getTime() < MAIL_RESEND_SECONDS * 1000) {
      throw authErrors.emailRateLimited(MAIL_RESEND_SECONDS);
    }
    const otp = newOtp();
    const tokenHash = otpTokenHash(user.email, otp);
    const storedHash = pkce ? `${PKCE_PREFIX}${tokenHash}` : tokenHash;
    if (pkce) await flows.create(user.id, flowMethods[linkType]!, pkce);
    await store.saveOneTimeToken(user.id, tokenType, storedHash, user.email);
    const link = pkce ? pkceVerifyLink(storedHash, linkType, redirectTo) : confirmLink(tokenHash, linkType, redirectTo);
    const language = await recipientLanguage(store.pool, user);
    await outbox.send(authMail(linkType, language, user.email, link));
  }

  /**
   * /signup for an address that already has an account that is not confirmed (an invitation not yet accepted, or
   * a sign-up not yet confirmed). Like GoTrue, the account is never changed (the caller's claim to the address
   * is unproven), so neither its password nor its metadata; unlike GoTrue with autoconfirm on, no session is
   * ever issued for it. An unconfirmed sign-up gets its confirmation again; an invited account keeps the
   * invitation it holds (a new token would void the coordinator's link) and the answer hides its metadata, as
   * GoTrue hides an invited user's.
   */
  async function signUpExistingUnconfirmed(existing: AuthUserRow, req: Request, pkce: PkceParams | undefined) {
    if (!options.emailConfirmRequired) throw authErrors.userExists();
    if (existing.invited_at) {
      return { ...(await userResponse(existing)), user_metadata: {}, identities: [] };
    }
    await sendTokenMail(existing, "confirmation_token", "signup", req.query.redirect_to, pkce);
    return userResponse((await store.findUserById(existing.id))!);
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
      limitMailRequests(req, "signup");
      const body = parse(signUpBody, req.body);
      const pkce = parsePkceParams(req.body);
      if (body.password.length < MIN_PASSWORD_LENGTH) throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
      const existing = await store.findUserByEmail(body.email);
      if (existing?.email_confirmed_at) {
        res.json(repeatedSignUp(body.email, body.data, options.emailConfirmRequired));
        return;
      }
      if (existing) {
        res.json(await signUpExistingUnconfirmed(existing, req, pkce));
        return;
      }
      const passwordHash = await bcrypt.hash(body.password, BCRYPT_COST);
      const user = await store.createUser({
        email: body.email,
        passwordHash,
        confirmed: !options.emailConfirmRequired,
        userMetadata: body.data ?? {},
      });
      if (!options.emailConfirmRequired) {
        res.json(await issueSession(user, req, "password"));
        return;
      }
      await sendTokenMail(user, "confirmation_token", "signup", req.query.redirect_to, pkce);
      res.json(await userResponse((await store.findUserById(user.id))!));
    }),
  );

  router.post(
    "/token",
    asyncRoute(async (req, res) => {
      const grantType = req.query.grant_type;
      if (grantType === "password") {
        const ip = clientAddress(req);
        const body = parse(passwordGrantBody, req.body);
        const failureKey = `${body.email}|${ip}`;
        const retry = Math.max(signInsPerIp.retryAfter(ip), failedSignIns.retryAfter(failureKey));
        if (retry > 0) throw authErrors.rateLimited(retry);
        signInsPerIp.hit(ip);
        const user = await store.findUserByEmail(body.email);
        // Compare against a dummy hash for unknown emails so timing does not reveal which addresses exist.
        const hash = user?.encrypted_password ?? (await dummyHash);
        const matches = await bcrypt.compare(body.password, hash);
        if (!user || !user.encrypted_password || !matches) {
          failedSignIns.fail(failureKey);
          throw authErrors.invalidCredentials();
        }
        if (isBanned(user)) throw new AuthError(400, "user_banned", "User is banned");
        if (!user.email_confirmed_at) throw authErrors.emailNotConfirmed();
        failedSignIns.reset(failureKey);
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
      if (grantType === "pkce") {
        res.json(await exchangeAuthCode(req));
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
        throw authErrors.validation(`Unsupported logout scope ${JSON.stringify(queryText(requested))}`);
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
      limitMailRequests(req, "otp");
      const body = parse(otpBody, req.body);
      const pkce = parsePkceParams(req.body);
      let user = await store.findUserByEmail(body.email);
      if (!user) {
        if (body.create_user === false) throw authErrors.otpSignupsDisabled();
        user = await store.createUser({
          email: body.email,
          passwordHash: null,
          confirmed: false,
          userMetadata: body.data ?? {},
        });
      }
      await sendTokenMail(user, "recovery_token", "magiclink", req.query.redirect_to, pkce);
      res.json({});
    }),
  );

  router.post(
    "/recover",
    asyncRoute(async (req, res) => {
      limitMailRequests(req, "recover");
      const body = parse(recoverBody, req.body);
      const pkce = parsePkceParams(req.body);
      const user = await store.findUserByEmail(body.email);
      // Same answer whether or not the address has an account, so the form cannot be used to find accounts.
      if (user) await sendTokenMail(user, "recovery_token", "recovery", req.query.redirect_to, pkce);
      res.json({});
    }),
  );

  router.post(
    "/verify",
    asyncRoute(async (req, res) => {
      const body = parse(verifyBody, req.body);
      const ip = clientAddress(req);
      const failureKey = "token_hash" in body ? `verify|${ip}` : `verify:${body.email}|${ip}`;
      const retry = failedSignIns.retryAfter(failureKey);
      if (retry > 0) throw authErrors.rateLimited(retry);
      if (body.type === "email_change") {
        try {
          res.json(await verifyEmailChange(context, req, body));
        } catch (error) {
          // A wrong address-change code counts like any other wrong code.
          if (error instanceof AuthError && error.code === "otp_expired") failedSignIns.fail(failureKey);
          throw error;
        }
        return;
      }
      const tokenTypes: Record<Exclude<typeof body.type, "email_change">, OneTimeTokenType[]> = {
        signup: ["confirmation_token"],
        invite: ["confirmation_token"],
        magiclink: ["recovery_token"],
        recovery: ["recovery_token"],
        email: ["confirmation_token", "recovery_token"],
      };
      const tokenHash = "token_hash" in body ? body.token_hash : otpTokenHash(body.email, body.token);
      const consumed =
        (await store.consumeOneTimeToken(tokenHash, tokenTypes[body.type], OTP_MAX_AGE_SECONDS)) ??
        // A code typed from a PKCE mail matches its prefixed hash, as in GoTrue's isOtpValid.
        ("token_hash" in body
          ? undefined
          : await store.consumeOneTimeToken(`${PKCE_PREFIX}${tokenHash}`, tokenTypes[body.type], OTP_MAX_AGE_SECONDS));
      if (!consumed) {
        failedSignIns.fail(failureKey);
        // GoTrue's two messages: one for a link (token hash), one for a typed code.
        throw "token_hash" in body ? authErrors.otpExpired() : authErrors.otpInvalid();
      }
      const user = await store.updateUser(consumed.user_id, { confirm: true });
      // Every mail link or code signs in with the method "otp", recovery included (GoTrue's verifyPost).
      res.json(await issueSession(user, req, "otp"));
    }),
  );

  /** The implicit flow's redirect: the session (or GoTrue's message) in the fragment of `redirect_to`. */
  function implicitRedirect(redirectTo: string, fragment: Record<string, string>): string {
    const target = new URL(redirectTo);
    target.hash = new URLSearchParams(fragment).toString();
    return target.toString();
  }

  function sessionFragment(session: SessionResponse, type: string): Record<string, string> {
    return {
      access_token: session.access_token,
      expires_at: String(session.expires_at),
      expires_in: String(session.expires_in),
      refresh_token: session.refresh_token,
      token_type: session.token_type,
      type,
    };
  }

  /**
   * GoTrue's GET /verify, where a PKCE mail link (token `pkce_…`) lands: the token is consumed, the account
   * confirmed, and the browser sent to `redirect_to?code=…` for exchangeCodeForSession. A token without the
   * prefix is the implicit flow: the session goes in the fragment. Errors go back to `redirect_to` too. An
   * address-change link (never PKCE here) answers GoTrue's "accepted" message for the first of its two
   * confirmations and the session for the second.
   */
  router.get(
    "/verify",
    asyncRoute(async (req, res) => {
      const token = typeof req.query.token === "string" ? req.query.token : "";
      const type = typeof req.query.type === "string" ? req.query.type : "";
      if (!type) throw authErrors.validation("Verify requires a verification type");
      if (!token) throw authErrors.validation("Verify requires a token or a token hash");
      const linkTypes: Record<string, OneTimeTokenType[]> = {
        signup: ["confirmation_token"],
        invite: ["confirmation_token"],
        magiclink: ["recovery_token"],
        recovery: ["recovery_token"],
      };
      const redirectTo = safeRedirect(req.query.redirect_to).toString();
      const isPkce = token.startsWith(PKCE_PREFIX);
      try {
        if (type === "email_change") {
          const result = await verifyEmailChange(context, req, { token_hash: token });
          const fragment = "access_token" in result ? sessionFragment(result, type) : { message: result.msg };
          res.redirect(303, implicitRedirect(redirectTo, fragment));
          return;
        }
        const tokenTypes = linkTypes[type];
        if (!tokenTypes) throw authErrors.validation("Unsupported verification type");
        const consumed = await store.consumeOneTimeToken(token, tokenTypes, OTP_MAX_AGE_SECONDS);
        const found = consumed && (await store.findUserById(consumed.user_id));
        if (!found) throw authErrors.otpExpired();
        if (isBanned(found)) throw authErrors.userBanned();
        const user = await store.updateUser(found.id, { confirm: true });
        if (isPkce) {
          const code = await flows.issueAuthCode(user.id, flowMethods[type]!);
          if (!code) {
            throw new AuthError(
              400,
              "flow_state_not_found",
              "No associated flow state found. No valid flow state found for user.",
            );
          }
          res.redirect(303, verifyRedirect(redirectTo, { code }));
          return;
        }
        const session = await issueSession(user, req, "otp");
        res.redirect(303, implicitRedirect(redirectTo, sessionFragment(session, type)));
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        res.redirect(303, verifyRedirect(redirectTo, { error }, isPkce));
      }
    }),
  );

  /** `/token?grant_type=pkce`: GoTrue's PKCE grant, with its errors (token.go). */
  async function exchangeAuthCode(req: Request) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const authCode = typeof body.auth_code === "string" ? body.auth_code : "";
    const verifier = typeof body.code_verifier === "string" ? body.code_verifier : "";
    if (!authCode || !verifier) throw pkceErrors.emptyGrant();
    const { user, method } = await store.transaction(async (db) => {
      const flow = await flows.lockByAuthCode(authCode, db);
      if (!flow?.user_id) throw pkceErrors.flowStateNotFound();
      if (flow.expired) throw pkceErrors.flowStateExpired();
      const owner = await store.findUserById(flow.user_id, db);
      if (!owner) throw pkceErrors.flowStateNotFound();
      const mismatch = verifyCodeChallenge(flow.code_challenge, flow.code_challenge_method, verifier);
      if (mismatch) throw pkceErrors.badCodeVerifier(mismatch);
      if (isBanned(owner)) throw authErrors.userBanned();
      // The code works once: the flow state goes with the exchange, as in GoTrue.
      await flows.delete(flow.id, db);
      return { user: owner, method: flow.authentication_method };
    });
    return issueSession(user, req, method);
  }

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

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
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
    // The request's own logger (pino-http in server/http-app.ts) when there is one, so the line carries its id.
    ((req.log as typeof logger | undefined) ?? logger).error({ err: error }, "auth service error");
    res.status(500).json(new AuthError(500, "unexpected_failure", "Unexpected failure").toJSON());
  });

  return router;
}
