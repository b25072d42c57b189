import bcrypt from "bcryptjs";
import express, { type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { MailOutbox } from "../mail-outbox.js";
import { AuthError, authErrors } from "./errors.js";
import { RateLimiter } from "./rate-limit.js";
import { clientAddress } from "./request-guard.js";
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
  outbox: MailOutbox;
  signer: TokenSigner;
  siteUrl: string;
  serviceRoleKey: string;
  anonKey: string;
  emailConfirmRequired: boolean;
  signInAttemptsPerIp: number;
  failedSignInsPerEmail: number;
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

/** Decided by request-guard.ts: X-Forwarded-For counts only as TRUST_PROXY says, or from our own app. */
const clientIp = (req: Request): string => clientAddress(req);

const asyncRoute =
  (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);

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

  async function issueSession(user: AuthUserRow, req: Request, method: string) {
    const refreshToken = newRefreshToken();
    const sessionId = await store.createSession(user.id, refreshToken, {
      userAgent: req.header("user-agent"),
      ip: clientIp(req).replace(/^::ffff:/, ""),
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
    if (sentAt && Date.now() - sentAt.getTime() < MAIL_RESEND_SECONDS * 1000) {
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
      if (existing?.email_confirmed_at) throw authErrors.userExists();
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
      res.json(publicUser((await store.findUserById(user.id))!));
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
        if (isBanned(user)) throw authErrors.userBanned();
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
      const tokenTypes: Record<typeof body.type, OneTimeTokenType[]> = {
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
        throw authErrors.otpExpired();
      }
      const user = await store.updateUser(consumed.user_id, { confirm: true });
      res.json(await issueSession(user, req, body.type === "recovery" ? "recovery" : "otp"));
    }),
  );

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
