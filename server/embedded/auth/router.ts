import bcrypt from "bcryptjs";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { MailMessage } from "../mail-outbox.js";
import { authMail, recipientLanguage } from "./auth-mails.js";
import { disabledFeaturesRouter } from "./disabled-features.js";
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
import { AuthStore, type AuthUserRow, type OneTimeTokenType } from "./store.js";
import { newOtp, newRefreshToken, otpTokenHash, TokenSigner, type AccessTokenClaims } from "./tokens.js";

/**
 * A Supabase-Auth-compatible service for the endpoints `supabase-js` calls, served under `/auth/v1` by the gateway.
 * It covers sign-up, password sign-in, refresh-token rotation, user, sign-out, magic link / email OTP, recovery and
 * the admin calls our seed and tests need. Mail links point to the app's `/auth/confirm` route with a token hash,
 * which is the server-side flow Supabase recommends for SSR apps.
 */
export interface AuthServiceOptions {
  store: AuthStore;
  /** Where auth mails go: SMTP when configured, else the embedded outbox. */
  outbox: { send(message: MailMessage): Promise<void> };
  signer: TokenSigner;
  siteUrl: string;
  serviceRoleKey: string;
  anonKey: string;
  emailConfirmRequired: boolean;
  signInAttemptsPerIp: number;
  /** Failed sign-ins per address from one client before its backoff starts. */
  failedSignInsPerEmail: number;
  /** Sign-ups, magic links and recovery mails each client may ask for per 5 minutes (GoTrue's RATE_LIMIT_OTP). */
  emailRequestsPerIp: number;
}

const MIN_PASSWORD_LENGTH = 8;
const BCRYPT_COST = 10;
const OTP_MAX_AGE_SECONDS = 3600;
const MAIL_RESEND_SECONDS = 60;
const REFRESH_REUSE_INTERVAL_MS = 10_000;

const email = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(255));
const metadata = z.record(z.string(), z.unknown()).optional();
const signUpBody = z.object({ email, password: z.string().max(72), data: metadata });
const passwordGrantBody = z.object({ email, password: z.string().max(1024) });
const refreshGrantBody = z.object({ refresh_token: z.string().min(1).max(255) });
const otpBody = z.object({ email, create_user: z.boolean().optional(), data: metadata });
const recoverBody = z.object({ email });
const verifyBody = z.union([
  z.object({
    type: z.enum(["signup", "invite", "magiclink", "recovery", "email"]),
    token_hash: z.string().min(1).max(255),
  }),
  z.object({ type: z.enum(["signup", "invite", "magiclink", "recovery", "email"]), email, token: z.string().min(1).max(20) }),
]);
const updateUserBody = z.object({ password: z.string().max(72).optional(), data: metadata });
const inviteBody = z.object({ email, data: metadata });
const adminCreateUserBody = z.object({
  email,
  password: z.string().max(72).optional(),
  email_confirm: z.boolean().optional(),
  user_metadata: metadata,
  app_metadata: metadata,
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw authErrors.validation(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

function publicUser(user: AuthUserRow) {
  const appMetadata = user.raw_app_meta_data ?? { provider: "email", providers: ["email"] };
  return {
    id: user.id,
    aud: user.aud,
    role: user.role,
    email: user.email,
    email_confirmed_at: user.email_confirmed_at?.toISOString() ?? null,
    phone: "",
    confirmed_at: user.email_confirmed_at?.toISOString() ?? null,
    confirmation_sent_at: user.confirmation_sent_at?.toISOString() ?? null,
    recovery_sent_at: user.recovery_sent_at?.toISOString() ?? null,
    invited_at: user.invited_at?.toISOString() ?? null,
    last_sign_in_at: user.last_sign_in_at?.toISOString() ?? null,
    app_metadata: appMetadata,
    user_metadata: user.raw_user_meta_data ?? {},
    identities: [],
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
    is_anonymous: false,
  };
}

/** node-postgres reads `infinity` (a permanent ban) as the number Infinity, not a Date. */
function isBanned(user: AuthUserRow): boolean {
  return user.banned_until !== null && Number(user.banned_until) > Date.now();
}

function bearerToken(req: Request): string | undefined {
  const header = req.header("authorization");
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}

const asyncRoute =
  (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);

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

  async function issueSession(user: AuthUserRow, req: Request, method: string) {
    const refreshToken = newRefreshToken();
    const sessionId = await store.createSession(user.id, refreshToken, {
      userAgent: req.header("user-agent"),
      ip: clientAddress(req),
    });
    const signedIn = await store.updateUser(user.id, { lastSignIn: true });
    return sessionResponse(signedIn, sessionId, refreshToken, method);
  }

  async function sessionResponse(user: AuthUserRow, sessionId: string, refreshToken: string, method: string) {
    const { token, expiresAt } = await signer.signAccessToken({
      userId: user.id,
      email: user.email,
      sessionId,
      appMetadata: user.raw_app_meta_data ?? {},
      userMetadata: user.raw_user_meta_data ?? {},
      method,
    });
    return {
      access_token: token,
      token_type: "bearer",
      expires_in: signer.expirySeconds,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: publicUser(user),
    };
  }

  async function requireUser(req: Request): Promise<{ claims: AccessTokenClaims; user: AuthUserRow }> {
    const token = bearerToken(req);
    if (!token) throw authErrors.noAuthorization();
    const claims = await signer.verify(token);
    if (claims.role !== "authenticated" || !claims.sub) throw authErrors.badJwt("invalid JWT: not a user token");
    if (claims.session_id && !(await store.sessionExists(claims.session_id))) throw authErrors.sessionNotFound();
    const user = await store.findUserById(claims.sub);
    if (!user) throw authErrors.userNotFound();
    return { claims, user };
  }

  async function requireServiceRole(req: Request): Promise<void> {
    const token = bearerToken(req);
    if (!token) throw authErrors.noAuthorization();
    const claims = await signer.verify(token);
    if (claims.role !== "service_role") throw authErrors.notAdmin();
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
    if (sentAt && Date.now() - sentAt.getTime() < MAIL_RESEND_SECONDS * 1000) {
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
      return { ...publicUser(existing), user_metadata: {}, identities: [] };
    }
    await sendTokenMail(existing, "confirmation_token", "signup", req.query.redirect_to, pkce);
    return publicUser((await store.findUserById(existing.id))!);
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
      if (existing?.email_confirmed_at) throw authErrors.userExists();
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
      res.json(publicUser((await store.findUserById(user.id))!));
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
        if (isBanned(user)) throw authErrors.userBanned();
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
          if (isBanned(user)) throw authErrors.userBanned();
          if (row.revoked) {
            // Two tabs refreshing at once both hold the old token: within a short interval the second gets the
            // token the first one received. Later reuse means the token leaked: the whole session is revoked.
            const child = await store.activeChildToken(body.refresh_token, db);
            if (child && Date.now() - row.updated_at.getTime() < REFRESH_REUSE_INTERVAL_MS) {
              return sessionResponse(user, row.session_id, child, "token_refresh");
            }
            await store.deleteSession(row.session_id, db);
            return authErrors.refreshTokenReused();
          }
          const next = newRefreshToken();
          await store.rotateRefreshToken(
            { id: row.id, token: body.refresh_token, userId: row.user_id, sessionId: row.session_id },
            next,
            db,
          );
          return sessionResponse(user, row.session_id, next, "token_refresh");
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

  router.get(
    "/user",
    asyncRoute(async (req, res) => {
      const { user } = await requireUser(req);
      res.json(publicUser(user));
    }),
  );

  router.put(
    "/user",
    asyncRoute(async (req, res) => {
      const { user } = await requireUser(req);
      const body = parse(updateUserBody, req.body);
      let passwordHash: string | undefined;
      if (body.password !== undefined) {
        if (body.password.length < MIN_PASSWORD_LENGTH) throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
        passwordHash = await bcrypt.hash(body.password, BCRYPT_COST);
      }
      const updated = await store.updateUser(user.id, { passwordHash, userMetadata: body.data });
      res.json(publicUser(updated));
    }),
  );

  router.post(
    "/logout",
    asyncRoute(async (req, res) => {
      const { claims, user } = await requireUser(req);
      const scope = req.query.scope === "local" || req.query.scope === "others" ? req.query.scope : "global";
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
        user = await store.createUser({ email: body.email, passwordHash: null, confirmed: false, userMetadata: body.data ?? {} });
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
      const tokenTypes: Record<typeof body.type, OneTimeTokenType[]> = {
        signup: ["confirmation_token"],
        invite: ["confirmation_token"],
        magiclink: ["recovery_token"],
        recovery: ["recovery_token"],
        email: ["confirmation_token", "recovery_token"],
      };
      const ip = clientAddress(req);
      const failureKey = "token_hash" in body ? `verify|${ip}` : `verify:${body.email}|${ip}`;
      const retry = failedSignIns.retryAfter(failureKey);
      if (retry > 0) throw authErrors.rateLimited(retry);
      const tokenHash = "token_hash" in body ? body.token_hash : otpTokenHash(body.email, body.token);
      const consumed =
        (await store.consumeOneTimeToken(tokenHash, tokenTypes[body.type], OTP_MAX_AGE_SECONDS)) ??
        // A code typed from a PKCE mail matches its prefixed hash, as in GoTrue's isOtpValid.
        ("token_hash" in body
          ? undefined
          : await store.consumeOneTimeToken(`${PKCE_PREFIX}${tokenHash}`, tokenTypes[body.type], OTP_MAX_AGE_SECONDS));
      if (!consumed) {
        failedSignIns.fail(failureKey);
        throw authErrors.otpExpired();
      }
      const user = await store.updateUser(consumed.user_id, { confirm: true });
      res.json(await issueSession(user, req, body.type === "recovery" ? "recovery" : "otp"));
    }),
  );

  /**
   * GoTrue's GET /verify, where a PKCE mail link (token `pkce_…`) lands: the token is consumed, the account
   * confirmed, and the browser sent to `redirect_to?code=…` for exchangeCodeForSession. A token without the
   * prefix is the implicit flow: the session goes in the fragment. Errors go back to `redirect_to` too.
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
            throw new AuthError(400, "flow_state_not_found", "No associated flow state found. No valid flow state found for user.");
          }
          res.redirect(303, verifyRedirect(redirectTo, { code }));
          return;
        }
        const session = await issueSession(user, req, "otp");
        const target = new URL(redirectTo);
        target.hash = new URLSearchParams({
          access_token: session.access_token,
          expires_at: String(session.expires_at),
          expires_in: String(session.expires_in),
          refresh_token: session.refresh_token,
          token_type: session.token_type,
          type,
        }).toString();
        res.redirect(303, target.toString());
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

  /** Creates an invited account (no password, no applicant role) and mails the invitation link. */
  router.post(
    "/invite",
    asyncRoute(async (req, res) => {
      await requireServiceRole(req);
      const body = parse(inviteBody, req.body);
      if (await store.findUserByEmail(body.email)) {
        throw new AuthError(422, "email_exists", "A user with this email address has already been registered");
      }
      const user = await store.createUser({
        email: body.email,
        passwordHash: null,
        confirmed: false,
        invited: true,
        userMetadata: body.data ?? {},
      });
      await sendTokenMail(user, "confirmation_token", "invite", req.query.redirect_to);
      res.json(publicUser((await store.findUserById(user.id))!));
    }),
  );

  router.get(
    "/admin/users",
    asyncRoute(async (req, res) => {
      await requireServiceRole(req);
      const page = Math.max(1, Number(req.query.page) || 1);
      const perPage = Math.min(1000, Math.max(1, Number(req.query.per_page) || 50));
      const users = await store.listUsers(page, perPage);
      res.json({ users: users.map(publicUser), aud: "authenticated" });
    }),
  );

  router.post(
    "/admin/users",
    asyncRoute(async (req, res) => {
      await requireServiceRole(req);
      const body = parse(adminCreateUserBody, req.body);
      if (body.password !== undefined && body.password.length < MIN_PASSWORD_LENGTH) {
        throw authErrors.weakPassword(MIN_PASSWORD_LENGTH);
      }
      if (await store.findUserByEmail(body.email)) {
        throw new AuthError(422, "email_exists", "A user with this email address has already been registered");
      }
      const user = await store.createUser({
        email: body.email,
        passwordHash: body.password ? await bcrypt.hash(body.password, BCRYPT_COST) : null,
        confirmed: body.email_confirm ?? false,
        userMetadata: body.user_metadata ?? {},
        appMetadata: body.app_metadata,
      });
      res.json(publicUser(user));
    }),
  );

  router.get(
    "/admin/users/:id",
    asyncRoute(async (req, res) => {
      await requireServiceRole(req);
      const user = z.uuid().safeParse(req.params.id).success ? await store.findUserById(req.params.id!) : undefined;
      if (!user) throw authErrors.userNotFound();
      res.json(publicUser(user));
    }),
  );

  router.delete(
    "/admin/users/:id",
    asyncRoute(async (req, res) => {
      await requireServiceRole(req);
      const deleted = z.uuid().safeParse(req.params.id).success && (await store.deleteUser(req.params.id!));
      if (!deleted) throw authErrors.userNotFound();
      res.json({});
    }),
  );

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
